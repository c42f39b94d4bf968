//! Which language a page speaks: the person's own choice (kept in a cookie the page and the
//! server both read, so no database lookup is needed per page), else the browser's
//! `Accept-Language`, else English. The customer's own messages are never translated.

use crate::i18n::Locale;

/// The cookie that holds the chosen language ("en" or "fr"); set when an agent picks one
/// in the desktop and at login from their stored setting.
pub const LANGUAGE_COOKIE: &str = "sb_lang";

/// The language for a request with these `Cookie` and `Accept-Language` headers.
pub fn pick(cookies: Option<&str>, accept_language: Option<&str>) -> Locale {
    from_cookie(cookies)
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// The language named by [`LANGUAGE_COOKIE`] in a `Cookie` header, if it is one we speak.
pub fn from_cookie(cookies: Option<&str>) -> Option<Locale> {
    cookies?.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == LANGUAGE_COOKIE).then(|| parse(value)).flatten()
    })
}

/// "fr", "fr-CA", "FR" → French; anything we do not speak → `None`.
pub fn parse(tag: &str) -> Option<Locale> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(Locale::en),
        "fr" => Some(Locale::fr),
        _ => None,
    }
}

/// The best language of an `Accept-Language` header we speak, by its quality values
/// (RFC 9110 §12.5.4); among equal qualities the first listed wins.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(u16, Locale)> = None;
    for item in header.split(',').take(32) {
        let mut parts = item.split(';');
        let Some(locale) = parts.next().and_then(parse) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, |q| {
                (q.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u16
            });
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, locale));
        }
    }
    best.map(|(_, locale)| locale)
}

/// A whole number as the language writes it: 10,000 in English, 10 000 in French (by
/// three, with a narrow no-break space in French). Four digits stay together (1500), as the
/// French guide writes its limits ("1500 caractères") and as CLDR's minimum grouping of two
/// digits does for several languages.
pub fn number(locale: Locale, n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    if digits.len() <= 4 {
        return digits;
    }
    let separator = match locale {
        Locale::en => ",",
        Locale::fr => "\u{202f}",
    };
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// The widget's words in `locale`, as the widget loads them from `/widget/i18n/<lang>.json`:
/// the same files the app compiles (`locales/<lang>/widget.json`), built into the binary.
pub fn widget_translations(locale: Locale) -> &'static str {
    match locale {
        Locale::en => include_str!("../../locales/en/widget.json"),
        Locale::fr => include_str!("../../locales/fr/widget.json"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_wins_over_the_browser() {
        assert_eq!(pick(Some("a=1; sb_lang=fr"), Some("en-US,en")), Locale::fr);
        assert_eq!(pick(Some("sb_lang=de"), Some("fr")), Locale::fr);
        assert_eq!(pick(None, None), Locale::en);
    }

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(number(Locale::en, 999u32), "999");
        assert_eq!(number(Locale::en, 1_500u32), "1500");
        assert_eq!(number(Locale::en, 86_400u32), "86,400");
        assert_eq!(number(Locale::en, 10_485_760u64), "10,485,760");
        assert_eq!(number(Locale::fr, 20_000u32), "20\u{202f}000");
    }

    #[test]
    fn accept_language_follows_quality_then_order() {
        assert_eq!(
            from_accept_language("de-DE,fr;q=0.8,en;q=0.7"),
            Some(Locale::fr)
        );
        assert_eq!(
            from_accept_language("en;q=0.5, fr-CA;q=0.9"),
            Some(Locale::fr)
        );
        assert_eq!(from_accept_language("fr-FR, en"), Some(Locale::fr));
        assert_eq!(from_accept_language("fr;q=0, en;q=0.1"), Some(Locale::en));
        assert_eq!(from_accept_language("de, es"), None);
        assert_eq!(from_accept_language("*"), None);
    }
}
