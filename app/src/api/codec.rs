//! The JSON the server functions answer with, read in the browser from text.
//!
//! Why not server_fn's own `Json`: it reads an answer with `serde_json::from_slice`, while a
//! resource hydrating from the page and the desktop's socket read with `from_str`. Each way
//! of reading is compiled once for every type read, so the WebAssembly carried two copies of
//! every answer's decoding (measured: 186 KB of code before wasm-opt, about a twelfth of the
//! desktop's first load). Answers read here go through `from_str` like everything else.
//! The bytes on the wire are the same JSON.

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// Serializes with `serde_json`; reads the answer as UTF-8 text with `serde_json::from_str`.
pub struct JsonText;

/// A server function's answer as [`JsonText`] in the body of a `POST`: `output = JsonAnswer`.
pub type JsonAnswer = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text =
            std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

    #[test]
    fn reads_back_what_it_writes() {
        let error = ApiError::TooManyAttempts {
            retry_after_secs: 30,
        };
        let bytes = <JsonText as Encodes<ApiError>>::encode(&error).unwrap();
        let back: ApiError = <JsonText as Decodes<ApiError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
    }

    /// Every server function answers through [`JsonAnswer`]: one left on server_fn's own
    /// `Json` would bring the second reader back into the WebAssembly for its types. And
    /// every one sends through [`crate::api::client::Client`]: one left on the default
    /// client would be refused in a framed session for want of its CSRF token (SPEC D-1).
    #[test]
    fn every_server_function_answers_as_text() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for attribute in source.lines().filter(|l| l.starts_with("#[server(")) {
                seen += 1;
                assert!(
                    attribute.contains("output = crate::api::codec::JsonAnswer"),
                    "{}: {attribute}",
                    path.display()
                );
                assert!(
                    attribute.contains("client = crate::api::client::Client"),
                    "{}: {attribute}",
                    path.display()
                );
            }
        }
        assert!(
            seen >= 20,
            "only {seen} server functions found: is the scan still right?"
        );
    }

    #[test]
    fn refuses_bytes_that_are_not_text() {
        let bytes = Bytes::from_static(b"\"\xff\"");
        let refused = <JsonText as Decodes<String>>::decode(bytes).unwrap_err();
        assert!(refused.to_string().contains("utf-8"), "{refused}");
    }
}
