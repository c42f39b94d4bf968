//! Who may embed the desktop as a gadget (SPEC D-1): the administrator's list of host
//! desktops, each a web origin. The same list is the page's `frame-ancestors`, the origins
//! whose messages the desktop answers and where it sends its events, and the hosts for
//! which the session cookie may travel inside a cross-site frame. Never a pattern or `*`:
//! a gadget's host reads the agent's work.

use super::{
    limits::{MAX_GADGET_HOSTS, MAX_ORIGIN_CHARS},
    validate::{Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GadgetHosts {
    /// Origins as `https://host` or `https://host:port`, lower case, in the administrator's
    /// order.
    pub origins: Vec<String>,
}

impl GadgetHosts {
    /// The list as typed, one origin per line: blank lines dropped, each origin in its
    /// one written form (lower case, no trailing `/`, no default port).
    pub fn from_lines(text: &str) -> GadgetHosts {
        GadgetHosts {
            origins: text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| normalize(line).unwrap_or_else(|| line.to_string()))
                .collect(),
        }
    }

    /// Every problem at once: too many, one that is not an origin, one twice.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.origins.len() > MAX_GADGET_HOSTS {
            errors.push(Problem::TooManyItems {
                max: MAX_GADGET_HOSTS,
                given: self.origins.len(),
            });
        }
        for (i, origin) in self.origins.iter().enumerate() {
            if normalize(origin).as_deref() != Some(origin.as_str()) {
                errors.push(Problem::InvalidOrigin {
                    value: shorten(origin),
                });
            } else if self.origins[..i].contains(origin) {
                errors.push(Problem::Duplicate {
                    value: origin.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors
                .into_iter()
                .map(|p| FieldError::new(Field::GadgetHosts, p))
                .collect())
        }
    }

    /// Whether a message or a frame from this origin is the host's.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }

    /// The list as the store keeps it and the form shows it: one origin per line.
    pub fn to_lines(&self) -> String {
        self.origins.join("\n")
    }
}

/// An origin in its one written form, or `None` when it is not one: `https` (or `http` for
/// this machine only, for trying it out), a host name or an IPv4 address, an optional port,
/// nothing else (a trailing `/` is forgiven).
pub fn normalize(text: &str) -> Option<String> {
    if text.len() > MAX_ORIGIN_CHARS {
        return None;
    }
    let lower = text.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !host_ok {
        return None;
    }
    let loopback = host == "localhost" || host == "127.0.0.1";
    let default_port = match scheme {
        "https" => "443",
        "http" if loopback => "80",
        _ => return None,
    };
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) if p == default_port => Some(format!("{scheme}://{host}")),
        Some(p) if p.parse::<u16>().is_ok_and(|n| n > 0) && !p.starts_with('0') => {
            Some(format!("{scheme}://{host}:{p}"))
        }
        Some(_) => None,
    }
}

/// A wrong value named in its error, cut so a pasted page does not fill the form.
fn shorten(value: &str) -> String {
    const SHOWN: usize = 60;
    if value.chars().count() <= SHOWN {
        value.to_string()
    } else {
        format!("{}…", value.chars().take(SHOWN).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_written_one_way() {
        assert_eq!(
            normalize("HTTPS://Finesse.Example.com/").as_deref(),
            Some("https://finesse.example.com")
        );
        assert_eq!(
            normalize("https://finesse.example.com:443").as_deref(),
            Some("https://finesse.example.com")
        );
        assert_eq!(
            normalize("https://finesse.example.com:8445").as_deref(),
            Some("https://finesse.example.com:8445")
        );
        assert_eq!(
            normalize("http://127.0.0.1:4010").as_deref(),
            Some("http://127.0.0.1:4010")
        );
    }

    /// SPEC D-1: never a pattern, a path, a plain-text host elsewhere than this machine.
    #[test]
    fn what_is_not_one_origin_is_refused() {
        for bad in [
            "*",
            "https://*",
            "https://*.example.com",
            "https://example.com/desk",
            "http://example.com",
            "example.com",
            "ftp://example.com",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://user@example.com",
            "https://example.com?x=1",
            "https://",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_list_names_each_wrong_line_and_repeats() {
        let hosts = GadgetHosts::from_lines(
            "https://a.example.com\n\n  https://*.example.com \nHTTPS://A.example.com/\n",
        );
        assert_eq!(hosts.origins.len(), 3);
        let errors = hosts.validate().unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.problem.clone()).collect::<Vec<_>>(),
            vec![
                Problem::InvalidOrigin {
                    value: "https://*.example.com".into()
                },
                Problem::Duplicate {
                    value: "https://a.example.com".into()
                },
            ]
        );
        assert!(errors.iter().all(|e| e.field == Field::GadgetHosts));
        let many = GadgetHosts {
            origins: (0..=MAX_GADGET_HOSTS)
                .map(|i| format!("https://h{i}.example.com"))
                .collect(),
        };
        assert!(matches!(
            many.validate().unwrap_err()[0].problem,
            Problem::TooManyItems {
                max: MAX_GADGET_HOSTS,
                ..
            }
        ));
    }
}
