//! Bytes as lowercase hex digits and back: token hashes, file names, the encryption key,
//! Meta's signatures.

/// Two lowercase hex digits per byte.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex digits (either case) as bytes; none for anything else or an odd count.
pub fn decode(hex: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    let hex = hex.as_ref();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|pair| {
            let digit = |c: u8| (c as char).to_digit(16);
            Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_go_to_hex_and_back() {
        let bytes: Vec<u8> = (0..=255).collect();
        let hex = super::encode(&bytes);
        assert_eq!(&hex[..8], "00010203");
        assert_eq!(super::decode(&hex), Some(bytes));
        assert_eq!(super::decode("0A0b"), Some(vec![10, 11]));
        for bad in ["abc", "zz", "+1", "é0"] {
            assert_eq!(super::decode(bad), None, "{bad}");
        }
        assert_eq!(super::decode(""), Some(vec![]));
    }
}
