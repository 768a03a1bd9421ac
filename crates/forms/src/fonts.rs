//! The embedded faces (Liberation Serif, SIL OFL 1.1, assets/fonts/LICENSE-OFL.txt): metric-compatible
//! with Times New Roman, which Decree 30/2020/NĐ-CP asks of administrative documents, and covering every
//! precomposed Vietnamese letter. Parsed once per process; each PDF embeds only the glyphs it uses.

use std::sync::OnceLock;

use printpdf::ParsedFont;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

pub struct Face {
    pub pdf: ParsedFont,
    metrics: ttf_parser::Face<'static>,
    units_per_em: f32,
    /// Advance (font units) of every code point below U+2000 — Latin and all Vietnamese letters —
    /// looked up once at load; u16::MAX = no glyph. Measuring text is then an array index.
    advances: Vec<u16>,
}

const TABLE: u32 = 0x2000;

pub struct Fonts {
    regular: Face,
    bold: Face,
    italic: Face,
}

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Italic.ttf");

fn face(bytes: &'static [u8]) -> Face {
    let pdf = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("embedded font parses");
    let metrics = ttf_parser::Face::parse(bytes, 0).expect("embedded font parses");
    let units_per_em = metrics.units_per_em() as f32;
    let advances = (0..TABLE)
        .map(|cp| {
            char::from_u32(cp)
                .and_then(|c| metrics.glyph_index(c))
                .map(|g| metrics.glyph_hor_advance(g).unwrap_or(0))
                .unwrap_or(u16::MAX)
        })
        .collect();
    Face { pdf, metrics, units_per_em, advances }
}

impl Fonts {
    /// The process-wide faces, parsed on first use.
    pub fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts { regular: face(REGULAR), bold: face(BOLD), italic: face(ITALIC) })
    }

    pub fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }
}

impl Face {
    fn advance(&self, c: char) -> Option<u16> {
        match self.advances.get(c as usize) {
            Some(&u16::MAX) => None,
            Some(&a) => Some(a),
            None => self.metrics.glyph_index(c).map(|g| self.metrics.glyph_hor_advance(g).unwrap_or(0)),
        }
    }

    pub fn has_glyph(&self, c: char) -> bool {
        c.is_whitespace() || self.advance(c).is_some()
    }

    /// Advance width of `text` at `size` points, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let mut units = 0u32;
        for c in text.chars() {
            units += self.advance(c).or_else(|| self.advance('?')).unwrap_or(0) as u32;
        }
        units as f32 * size / self.units_per_em
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_style() {
        let letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        let all: String = letters.chars().chain(letters.to_uppercase().chars()).collect();
        let fonts = Fonts::get();
        for style in [Style::Regular, Style::Bold, Style::Italic] {
            let missing: String = all.chars().filter(|c| !fonts.face(style).has_glyph(*c)).collect();
            assert!(missing.is_empty(), "{style:?} lacks {missing}");
        }
    }

    #[test]
    fn widths_grow_with_text_and_bold_is_wider() {
        let f = Fonts::get();
        let r = f.face(Style::Regular).width("Nguyễn Văn An", 12.0);
        assert!(r > 50.0 && r < 90.0, "{r}");
        assert!(f.face(Style::Bold).width("Nguyễn Văn An", 12.0) > r);
    }
}
