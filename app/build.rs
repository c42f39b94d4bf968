//! Compiles the translations in `locales/` into the `i18n` module (leptos_i18n): a key
//! missing from the default language, or an interpolation that does not match, fails the
//! build; a key missing from another language is a warning here and an error in
//! `tests/translations.rs`.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::{error::Error, path::PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR unset")?).join("i18n");
    let cfg = Config::new("en")?
        .add_locale("fr")?
        .add_namespaces([
            "common",
            "desktop",
            "email",
            "admin",
            "widget",
            "validation",
            "system",
            "conversations",
            "supervisor",
        ])?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
