//! The Letter of Authorization as a real PDF: one page of Helvetica text naming the enterprise
//! (and the agent and signer when given), with a cross-reference table whose offsets are those
//! of the objects, so any PDF reader opens it.

use uuid::Uuid;

/// What the rendered letter names besides the enterprise.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoaText {
    /// The agent's legal name, when an agent manages the numbers.
    pub agent: Option<String>,
    /// The signer's name, when the letter is signed.
    pub signer: Option<String>,
    /// Whether a signature image came with the request.
    pub signed: bool,
}

/// Text as a PDF literal string: printable ASCII only (anything else becomes `?`), with
/// `(`, `)` and `\` escaped.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// The letter for `enterprise`, as PDF bytes.
pub(crate) fn render(enterprise: Uuid, text: &LoaText) -> Vec<u8> {
    let mut lines = vec![
        "Letter of Authorization - Telnyx Number Reputation".to_owned(),
        String::new(),
        format!("Enterprise: {enterprise}"),
        "The enterprise authorizes Telnyx to monitor the reputation of its phone numbers"
            .to_owned(),
        "and to request their remediation with carriers and analytics providers.".to_owned(),
    ];
    if let Some(agent) = &text.agent {
        lines.push(format!("Agent: {agent}"));
    }
    lines.push(String::new());
    lines.push(match (&text.signer, text.signed) {
        (Some(name), _) => format!("Signed by: {name}"),
        (None, true) => "Signed".to_owned(),
        (None, false) => "Signature: ______________________".to_owned(),
    });
    let mut content = String::from("BT\n/F1 12 Tf\n16 TL\n72 720 Td\n");
    for line in &lines {
        content.push_str(&literal(line));
        content.push_str(" Tj T*\n");
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        format!(
            "<< /Title {} /Producer (telnyx-reputation-mock) >>",
            literal(&format!("LOA {enterprise}"))
        ),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.extend_from_slice(table.as_bytes());
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped_and_non_ascii_replaced() {
        assert_eq!(literal(r"a(b)c\d é"), r"(a\(b\)c\\d ?)");
    }

    #[test]
    fn every_xref_offset_points_at_its_object() {
        let pdf = render(Uuid::nil(), &LoaText::default());
        let tail = b"startxref\n";
        let at = pdf.windows(tail.len()).rposition(|w| w == tail).unwrap();
        let rest = &pdf[at + tail.len()..];
        let digits: String = rest
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        let start: usize = digits.parse().unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 7\n"));
        let table = String::from_utf8(pdf[start..].to_vec()).unwrap();
        for (i, line) in table.lines().skip(3).take(6).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "{i}"
            );
        }
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
