//! Turning a PO log's bytes into text. The budgeting software runs on desktops that write
//! UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark ("Unicode text"
//! from Windows programs), or Windows-1252; a vendor called "Café Lumière" must come out right
//! in each, so bytes that are not UTF-8 are read as Windows-1252 rather than replaced.

/// Windows-1252 0x80..=0x9F; the five undefined bytes map to their C1 control points, as
/// browsers do.
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn utf16(bytes: &[u8], little_endian: bool) -> String {
    let units = bytes.chunks(2).map(|pair| match (pair, little_endian) {
        ([a, b], true) => u16::from_le_bytes([*a, *b]),
        ([a, b], false) => u16::from_be_bytes([*a, *b]),
        // An odd trailing byte is not a character.
        _ => 0xfffd,
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// The text of a PO log file, its byte order mark removed.
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8(rest.to_vec()).unwrap_or_else(|_| windows_1252(rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => windows_1252(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_reads_the_same_text() {
        let text = "Café Lumière\t€12";
        let mut utf16le = vec![0xff, 0xfe];
        let mut utf16be = vec![0xfe, 0xff];
        for unit in text.encode_utf16() {
            utf16le.extend(unit.to_le_bytes());
            utf16be.extend(unit.to_be_bytes());
        }
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend(text.as_bytes());
        let cp1252 = b"Caf\xe9 Lumi\xe8re\t\x8012".to_vec();
        for bytes in [text.as_bytes().to_vec(), bom, utf16le, utf16be, cp1252] {
            assert_eq!(decode(&bytes), text);
        }
    }
}
