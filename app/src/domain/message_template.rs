//! WhatsApp message templates (SPEC F-3). Past the 24-hour customer service window,
//! WhatsApp carries only a template Meta approved for the business. The administrator
//! copies each approved template into the channel's settings: its name, its language and
//! its body text as written in WhatsApp Manager, with the `{{1}}`, `{{2}}`... placeholders
//! the agent fills. The same rules check the administrator's list and the agent's use of
//! it in the page and on the server; the transcript shows the text the customer reads.

use super::{
    limits::{
        MAX_MESSAGE_TEMPLATES, MAX_TEMPLATE_NAME_CHARS, MAX_TEMPLATE_SPACES_IN_A_ROW,
        MAX_TEMPLATE_TEXT_CHARS,
    },
    validate::{Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// A template's name as Meta shapes them, shown where one is asked for.
pub const EXAMPLE_NAME: &str = "order_update";
/// A template language as Meta codes them.
pub const EXAMPLE_LANGUAGE: &str = "en_US";

/// An approved template as the administrator copied it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageTemplate {
    /// Meta's name of it (`order_update`).
    pub name: String,
    /// The language it was approved in (`en_US`, `fr`).
    pub language: String,
    /// Its body, placeholders and all.
    pub text: String,
}

/// A template an agent sends: which one, and the value of each placeholder in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateUse {
    pub name: String,
    pub language: String,
    pub parameters: Vec<String>,
}

impl MessageTemplate {
    /// How many values it takes: its placeholders run from `{{1}}` to this.
    pub fn parameter_count(&self) -> usize {
        placeholders(&self.text)
            .into_iter()
            .map(|(_, _, n)| n)
            .max()
            .unwrap_or(0)
    }

    /// The text the customer reads, each placeholder replaced by its value (a placeholder
    /// without one stays as written).
    pub fn render(&self, parameters: &[String]) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut from = 0;
        for (start, end, n) in placeholders(&self.text) {
            out.push_str(&self.text[from..start]);
            match parameters.get(n - 1) {
                Some(value) => out.push_str(value),
                None => out.push_str(&self.text[start..end]),
            }
            from = end;
        }
        out.push_str(&self.text[from..]);
        out
    }

    /// Whether `used` names this template.
    pub fn is(&self, used: &TemplateUse) -> bool {
        self.name == used.name && self.language == used.language
    }

    /// How the administration and the composer name it: `order_update (en_US)`.
    pub fn title(&self) -> String {
        format!("{} ({})", self.name, self.language)
    }
}

/// Each `{{n}}` of `text` (n from 1): where it starts and ends, and its number.
fn placeholders(text: &str) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let digits = text[open + 2..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let close = open + 2 + digits;
        if digits > 0 && digits <= 3 && text[close..].starts_with("}}") {
            if let Ok(n @ 1..) = text[open + 2..close].parse::<usize>() {
                found.push((open, close + 2, n));
                at = close + 2;
                continue;
            }
        }
        at = open + 2;
    }
    found
}

/// The administrator's list: each template's name in Meta's shape, its language code, its
/// text within Meta's limit with placeholders numbered from `{{1}}` without a gap, no
/// template twice. Errors name the template by its place in the list (from 1).
pub fn validate_templates(templates: &[MessageTemplate]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if templates.len() > MAX_MESSAGE_TEMPLATES {
        errors.push(FieldError::new(
            Field::Templates,
            Problem::TooManyItems {
                max: MAX_MESSAGE_TEMPLATES,
                given: templates.len(),
            },
        ));
    }
    for (i, template) in templates.iter().enumerate() {
        let row = i + 1;
        let mut problem = |field: Field, problem: Problem| {
            errors.push(FieldError::new(field, problem));
        };
        let name_chars = template.name.chars().count();
        if template.name.is_empty() {
            problem(Field::TemplateName(row), Problem::Required);
        } else if name_chars > MAX_TEMPLATE_NAME_CHARS {
            problem(
                Field::TemplateName(row),
                Problem::TooManyChars {
                    max: MAX_TEMPLATE_NAME_CHARS,
                    given: name_chars,
                },
            );
        } else if !template
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            problem(
                Field::TemplateName(row),
                Problem::NotLike {
                    example: EXAMPLE_NAME.into(),
                },
            );
        } else if templates[..i]
            .iter()
            .any(|t| t.name == template.name && t.language == template.language)
        {
            problem(
                Field::TemplateName(row),
                Problem::Duplicate {
                    value: template.title(),
                },
            );
        }
        if template.language.is_empty() {
            problem(Field::TemplateLanguage(row), Problem::Required);
        } else if !is_language_code(&template.language) {
            problem(
                Field::TemplateLanguage(row),
                Problem::NotLike {
                    example: EXAMPLE_LANGUAGE.into(),
                },
            );
        }
        let text_chars = template.text.chars().count();
        if template.text.trim().is_empty() {
            problem(Field::TemplateText(row), Problem::Required);
        } else if text_chars > MAX_TEMPLATE_TEXT_CHARS {
            problem(
                Field::TemplateText(row),
                Problem::TooManyChars {
                    max: MAX_TEMPLATE_TEXT_CHARS,
                    given: text_chars,
                },
            );
        } else {
            let numbers: Vec<usize> = placeholders(&template.text)
                .into_iter()
                .map(|(_, _, n)| n)
                .collect();
            if let Some(missing) = (1..=template.parameter_count()).find(|n| !numbers.contains(n)) {
                problem(
                    Field::TemplateText(row),
                    Problem::PlaceholderMissing { number: missing },
                );
            }
        }
    }
    errors
}

/// A language as Meta names template languages: `en`, `fil`, `en_US`, `pt_BR`.
fn is_language_code(code: &str) -> bool {
    let (language, region) = match code.split_once('_') {
        Some((language, region)) => (language, Some(region)),
        None => (code, None),
    };
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()))
}

impl TemplateUse {
    /// The template it names among those `offered`, with every value checked: one per
    /// placeholder, each on one line (Meta refuses a line break, a tab or more than four
    /// spaces in a row in a value), the text as the customer reads it within Meta's limit.
    pub fn check<'a>(
        &self,
        offered: &'a [MessageTemplate],
    ) -> Result<&'a MessageTemplate, Vec<FieldError>> {
        let Some(template) = offered.iter().find(|t| t.is(self)) else {
            return Err(vec![FieldError::new(
                Field::Template,
                Problem::NoLongerOffered,
            )]);
        };
        let mut errors = Vec::new();
        let count = template.parameter_count();
        if self.parameters.len() > count {
            errors.push(FieldError::new(
                Field::Template,
                Problem::TooManyItems {
                    max: count,
                    given: self.parameters.len(),
                },
            ));
        }
        for n in 1..=count {
            let field = Field::TemplateParameter(n);
            match self.parameters.get(n - 1).map(String::as_str) {
                None => errors.push(FieldError::new(field, Problem::Required)),
                Some(value) if value.trim().is_empty() => {
                    errors.push(FieldError::new(field, Problem::Required))
                }
                Some(value)
                    if value.contains(['\n', '\r', '\t'])
                        || value.contains(&" ".repeat(MAX_TEMPLATE_SPACES_IN_A_ROW + 1)) =>
                {
                    errors.push(FieldError::new(field, Problem::OneLine))
                }
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Each value within the limit first: the text is then built from bounded parts.
        if let Some((n, chars)) = self
            .parameters
            .iter()
            .map(|value| value.chars().count())
            .enumerate()
            .find(|(_, chars)| *chars > MAX_TEMPLATE_TEXT_CHARS)
        {
            return Err(vec![FieldError::new(
                Field::TemplateParameter(n + 1),
                Problem::TooManyChars {
                    max: MAX_TEMPLATE_TEXT_CHARS,
                    given: chars,
                },
            )]);
        }
        let chars = template.render(&self.parameters).chars().count();
        if chars > MAX_TEMPLATE_TEXT_CHARS {
            return Err(vec![FieldError::new(
                Field::Template,
                Problem::TooManyChars {
                    max: MAX_TEMPLATE_TEXT_CHARS,
                    given: chars,
                },
            )]);
        }
        Ok(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(name: &str, language: &str, text: &str) -> MessageTemplate {
        MessageTemplate {
            name: name.into(),
            language: language.into(),
            text: text.into(),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<(Field, Problem)> {
        errors.into_iter().map(|e| (e.field, e.problem)).collect()
    }

    /// SPEC F-3: the agent's values fill the placeholders, in their order.
    #[test]
    fn f3_a_template_reads_with_its_values_in_place() {
        let t = template(
            "order_update",
            "en_US",
            "Hello {{1}}, your order {{2}} has shipped. {{1}}, thank you! {{x}} {{}} {{0}}",
        );
        assert_eq!(t.parameter_count(), 2);
        assert_eq!(
            t.render(&["Sheena".into(), "#4521".into()]),
            "Hello Sheena, your order #4521 has shipped. Sheena, thank you! {{x}} {{}} {{0}}"
        );
        assert_eq!(
            t.render(&["Sheena".into()]),
            "Hello Sheena, your order {{2}} has shipped. Sheena, thank you! {{x}} {{}} {{0}}"
        );
        assert_eq!(template("hi", "en", "Hi there").parameter_count(), 0);
        assert_eq!(
            template("hi", "fr", "Écrit {{1}} — é").render(&["à".into()]),
            "Écrit à — é"
        );
    }

    /// SPEC F-3: the administrator's list is refused field by field, naming the template.
    #[test]
    fn f3_each_template_field_is_refused_by_name_with_its_shape() {
        let good = template("order_update", "en_US", "Hello {{1}}");
        assert_eq!(fields(validate_templates(std::slice::from_ref(&good))), []);
        let list = [
            good.clone(),
            template("Order Update", "english", "Hello {{2}}"),
            template("order_update", "en_US", " "),
            template("", "pt_BR", &"a".repeat(MAX_TEMPLATE_TEXT_CHARS + 1)),
            template("welcome", "fil", "Hi {{1}} {{3}}"),
        ];
        assert_eq!(
            fields(validate_templates(&list)),
            [
                (
                    Field::TemplateName(2),
                    Problem::NotLike {
                        example: "order_update".into()
                    }
                ),
                (
                    Field::TemplateLanguage(2),
                    Problem::NotLike {
                        example: "en_US".into()
                    }
                ),
                (
                    Field::TemplateText(2),
                    Problem::PlaceholderMissing { number: 1 }
                ),
                (
                    Field::TemplateName(3),
                    Problem::Duplicate {
                        value: "order_update (en_US)".into()
                    }
                ),
                (Field::TemplateText(3), Problem::Required),
                (Field::TemplateName(4), Problem::Required),
                (
                    Field::TemplateText(4),
                    Problem::TooManyChars {
                        max: MAX_TEMPLATE_TEXT_CHARS,
                        given: MAX_TEMPLATE_TEXT_CHARS + 1
                    }
                ),
                (
                    Field::TemplateText(5),
                    Problem::PlaceholderMissing { number: 2 }
                ),
            ]
        );
        let many = vec![good; MAX_MESSAGE_TEMPLATES + 1];
        assert_eq!(
            fields(validate_templates(&many))[0],
            (
                Field::Templates,
                Problem::TooManyItems {
                    max: MAX_MESSAGE_TEMPLATES,
                    given: MAX_MESSAGE_TEMPLATES + 1
                }
            )
        );
    }

    /// SPEC F-3: the agent's values are checked as Meta would, before anything is sent.
    #[test]
    fn f3_a_template_use_needs_one_value_per_placeholder_each_on_one_line() {
        let offered = [template(
            "order_update",
            "en_US",
            "Hello {{1}}, order {{2}}",
        )];
        let used = |name: &str, parameters: &[&str]| TemplateUse {
            name: name.into(),
            language: "en_US".into(),
            parameters: parameters.iter().map(|p| p.to_string()).collect(),
        };
        assert_eq!(
            used("order_update", &["Sheena", "#1"]).check(&offered),
            Ok(&offered[0])
        );
        let refused = |u: TemplateUse| fields(u.check(&offered).unwrap_err());
        assert_eq!(
            refused(used("gone", &["a", "b"])),
            [(Field::Template, Problem::NoLongerOffered)]
        );
        assert_eq!(
            refused(used("order_update", &["Sheena"])),
            [(Field::TemplateParameter(2), Problem::Required)]
        );
        assert_eq!(
            refused(used("order_update", &[" ", "line\nbreak"])),
            [
                (Field::TemplateParameter(1), Problem::Required),
                (Field::TemplateParameter(2), Problem::OneLine)
            ]
        );
        assert_eq!(
            refused(used("order_update", &["a     b", "x", "extra"])),
            [
                (Field::Template, Problem::TooManyItems { max: 2, given: 3 }),
                (Field::TemplateParameter(1), Problem::OneLine)
            ]
        );
        let long = "x".repeat(MAX_TEMPLATE_TEXT_CHARS);
        assert_eq!(
            refused(used("order_update", &[&long, "1"])),
            [(
                Field::Template,
                Problem::TooManyChars {
                    max: MAX_TEMPLATE_TEXT_CHARS,
                    given: MAX_TEMPLATE_TEXT_CHARS + 15
                }
            )]
        );
    }
}
