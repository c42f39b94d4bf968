//! A transcript as a PDF file (issue 17: "a transcript exports as text or PDF"): the same
//! text as the text file, laid out on A4 pages in Courier, one of the fonts every PDF
//! reader has (nothing embedded, so the file stays a few kilobytes). Long lines wrap at a
//! space where there is one. Courier is read in the Windows-1252 encoding PDF readers know
//! (`WinAnsiEncoding`): French and the other western European languages print whole; a
//! character it lacks (an emoji, another script) prints as "?" (the text file has it).
//! Written with `pdf-writer`, the PDF layer of Typst.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4, in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const FONT_SIZE: f32 = 9.5;
const LEADING: f32 = 12.0;
/// Courier's characters are all 0.6 em wide: how many fit between the margins.
const CHARS_PER_LINE: usize = ((PAGE_WIDTH - 2.0 * MARGIN) / (0.6 * FONT_SIZE)) as usize;
const LINES_PER_PAGE: usize = ((PAGE_HEIGHT - 2.0 * MARGIN) / LEADING) as usize;

/// The PDF of `text`, titled `title` (the reader's window shows it).
pub fn transcript_pdf(title: &str, text: &str) -> Vec<u8> {
    let lines: Vec<Vec<u8>> = text.lines().flat_map(wrap).map(|l| encode(&l)).collect();
    let pages: Vec<&[Vec<u8>]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(LINES_PER_PAGE).collect()
    };
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let info = Ref::new(4);
    let font_name = Name(b"F1");
    // Each page and its content: two ids from 5 on.
    let page_ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|n| (Ref::new(5 + 2 * n), Ref::new(6 + 2 * n)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(title));
    pdf.type1_font(font)
        .base_font(Name(b"Courier"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for ((page_id, content_id), lines) in page_ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().fonts().pair(font_name, font);
        page.finish();
        let mut content = Content::new();
        content.begin_text();
        content.set_font(font_name, FONT_SIZE);
        content.set_leading(LEADING);
        content.next_line(MARGIN, PAGE_HEIGHT - MARGIN - FONT_SIZE);
        for line in lines {
            content.show(Str(line));
            content.next_line_using_leading();
        }
        content.end_text();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

/// A line cut into pieces of at most [`CHARS_PER_LINE`] characters, at the last space of
/// each piece when there is one (an empty line stays one empty line).
fn wrap(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    while rest.len() > CHARS_PER_LINE {
        let cut = rest[..=CHARS_PER_LINE]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|at| *at > 0)
            .unwrap_or(CHARS_PER_LINE);
        pieces.push(
            rest[..cut]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        let next = if rest.get(cut) == Some(&' ') {
            cut + 1
        } else {
            cut
        };
        rest.drain(..next);
    }
    pieces.push(rest.into_iter().collect());
    pieces
}

/// A line in Windows-1252, as the font reads it; "?" for a character it lacks.
fn encode(line: &str) -> Vec<u8> {
    line.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            // The narrow no-break space French puts before ":" in some texts.
            '\u{202f}' => 0xa0,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_a_space_and_words_longer_than_a_line_are_cut() {
        let words = "word ".repeat(40);
        let wrapped = wrap(words.trim_end());
        assert!(wrapped.len() > 1);
        assert!(wrapped.iter().all(|l| l.chars().count() <= CHARS_PER_LINE));
        assert!(wrapped
            .iter()
            .all(|l| !l.starts_with(' ') && !l.ends_with(' ')));
        assert_eq!(wrapped.join(" "), words.trim_end(), "nothing lost");
        let long = "x".repeat(CHARS_PER_LINE * 2 + 3);
        let cut = wrap(&long);
        assert_eq!(
            cut.iter().map(|l| l.len()).collect::<Vec<_>>(),
            [CHARS_PER_LINE, CHARS_PER_LINE, 3]
        );
        assert_eq!(wrap(""), [""]);
    }

    #[test]
    fn western_text_prints_whole_and_the_rest_as_a_question_mark() {
        assert_eq!(
            encode("Zoé : « l’été » 5 €"),
            b"Zo\xe9 : \xab l\x92\xe9t\xe9 \xbb 5 \x80"
        );
        assert_eq!(encode("ok 😀 東"), b"ok ? ?");
    }

    #[test]
    fn a_long_transcript_takes_several_pages_of_one_pdf() {
        let text: String = (1..=150)
            .map(|n| format!("[10:00:{n:02}] Zoé: line {n}\n"))
            .collect();
        let pdf = transcript_pdf("Conversation 42", &text);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        let body = String::from_utf8_lossy(&pdf);
        assert!(
            body.contains("/Count 3"),
            "150 lines on pages of {LINES_PER_PAGE}"
        );
        assert!(body.contains("/BaseFont /Courier"));
        assert!(body.contains("(Conversation 42)"));
    }
}
