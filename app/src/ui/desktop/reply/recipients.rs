//! A recipients field (SPEC R-1): addresses as chips, each checked with the shared
//! validator as it is entered (an invalid one stays, marked, with the reason on it), at most
//! 20: the 21st is refused with a message naming the field.

use crate::{
    domain::{
        limits::MAX_ADDRESSES_PER_FIELD,
        validate::{is_valid_email, Field, FieldError, Problem},
    },
    i18n::*,
};
use leptos::prelude::*;

/// Splits typed or pasted text into addresses ("a@x, b@y; Name <c@z>").
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .flat_map(|part| {
            let part = part.trim();
            match (part.find('<'), part.rfind('>')) {
                (Some(start), Some(end)) if start < end => {
                    vec![part[start + 1..end].trim().to_string()]
                }
                _ => part
                    .split_whitespace()
                    .map(|w| w.trim_matches(['<', '>', '"']).to_string())
                    .collect(),
            }
        })
        .filter(|a| !a.is_empty())
        .collect()
}

/// Adds what was typed to `list`: returns the refusal (in `locale`) when the field is full.
pub fn add_addresses(
    locale: Locale,
    field: &Field,
    list: &mut Vec<String>,
    text: &str,
) -> Option<String> {
    for address in split_addresses(text) {
        if list.iter().any(|a| a.eq_ignore_ascii_case(&address)) {
            continue;
        }
        if list.len() >= MAX_ADDRESSES_PER_FIELD {
            return Some(td_string!(
                locale,
                email.recipients.field_full,
                field = field.label(locale),
                max = MAX_ADDRESSES_PER_FIELD,
                address = address
            ));
        }
        list.push(address);
    }
    None
}

/// Why a chip is marked, if it is.
pub fn chip_problem(field: &Field, address: &str) -> Option<String> {
    (!is_valid_email(address)).then(|| {
        FieldError::new(
            field.clone(),
            Problem::InvalidEmail {
                value: address.to_string(),
            },
        )
        .to_string()
    })
}

#[component]
pub fn RecipientField(
    field: Field,
    list: RwSignal<Vec<String>>,
    /// Called after every change (the draft is then unsaved).
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = field.label(i18n.get_locale_untracked());
    // The id stays English ("recipients-cc") whatever the page's language.
    let input_id = format!("recipients-{}", field.to_string().to_lowercase());
    let typed = RwSignal::new(String::new());
    let refusal = RwSignal::new(None::<String>);
    let chip_field = StoredValue::new(field.clone());
    let commit = move || {
        let text = typed.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let mut refused = None;
        let locale = i18n.get_locale_untracked();
        list.update(|l| refused = chip_field.with_value(|f| add_addresses(locale, f, l, &text)));
        refusal.set(refused);
        typed.set(String::new());
        on_change.run(());
    };
    let remove = move |address: String| {
        list.update(|l| l.retain(|a| *a != address));
        refusal.set(None);
        on_change.run(());
    };
    view! {
        <div class="recipients">
            <label class="recipients-label" for=input_id.clone()>{label.clone()}</label>
            <ul class="chips" aria-label={
                let label = label.clone();
                move || t_string!(i18n, email.recipients.list, field = label.clone())
            }>
                <For each=move || list.get() key=|a| a.clone() let:address>
                    {
                        let problem = chip_field.with_value(|f| chip_problem(f, &address));
                        let remove_address = address.clone();
                        view! {
                            <li
                                class="chip"
                                class:invalid=problem.is_some()
                                title=problem.clone().unwrap_or_else(|| address.clone())
                            >
                                <span class="chip-address">{address.clone()}</span>
                                {problem.clone().map(|p| view! { <span class="visually-hidden">{p}</span> })}
                                <button
                                    type="button"
                                    class="chip-remove"
                                    aria-label={
                                        let address = address.clone();
                                        move || t_string!(i18n, email.recipients.remove, address = address.clone())
                                    }
                                    title={
                                        let address = address.clone();
                                        move || t_string!(i18n, email.recipients.remove, address = address.clone())
                                    }
                                    on:click=move |_| remove(remove_address.clone())
                                >"×"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <input
                id=input_id
                class="recipients-input"
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder=move || t_string!(i18n, email.recipients.add)
                prop:value=move || typed.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    if value.ends_with([',', ';']) {
                        typed.set(value);
                        commit();
                    } else {
                        typed.set(value);
                    }
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        commit();
                    } else if ev.key() == "Backspace" && typed.with_untracked(String::is_empty) {
                        list.update(|l| { l.pop(); });
                        on_change.run(());
                    }
                }
                on:blur=move |_| commit()
            />
            {move || refusal.get().map(|r| view! { <p class="field-error" role="alert">{r}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_addresses() {
        assert_eq!(
            split_addresses("a@x.test, Bo <b@y.test>; c@z.test"),
            ["a@x.test", "b@y.test", "c@z.test"]
        );
    }

    /// SPEC R-1: the 21st address is refused, naming the field; duplicates are skipped.
    #[test]
    fn the_twenty_first_is_refused() {
        let mut list: Vec<String> = (0..20).map(|i| format!("p{i}@example.com")).collect();
        assert_eq!(
            add_addresses(Locale::en, &Field::Cc, &mut list, "P3@example.com"),
            None
        );
        assert_eq!(list.len(), 20);
        let refusal = add_addresses(Locale::en, &Field::Cc, &mut list, "late@example.com").unwrap();
        assert_eq!(
            refusal,
            "Cc: at most 20 addresses; \"late@example.com\" was not added."
        );
        assert_eq!(list.len(), 20, "nothing already there is lost");
        let refusal = add_addresses(Locale::fr, &Field::Cc, &mut list, "late@example.com").unwrap();
        assert_eq!(
            refusal,
            "Cc\u{a0}: 20 adresses au maximum\u{202f}; «\u{a0}late@example.com\u{a0}» n'a pas été ajoutée."
        );
    }

    #[test]
    fn invalid_chips_say_why() {
        assert_eq!(
            chip_problem(&Field::To, "ann@"),
            Some("To: \"ann@\" is not a valid email address".into())
        );
        assert_eq!(chip_problem(&Field::To, "ann@example.com"), None);
    }
}
