//! The layout engine: draws a template's blocks with a form's data onto pages, top to bottom, wrapping
//! text by the embedded font's real glyph widths, breaking pages where a block no longer fits (a table
//! repeats its header), and numbering pages. Coordinates here are points from the top-left corner; they
//! are turned into PDF's bottom-left coordinates only when an operation is emitted.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Polygon, PolygonRing, Pt, Rgb, TextItem, WindingOrder,
};
use unicode_normalization::UnicodeNormalization;

use crate::data::FormData;
use crate::error::{FormsError, Result};
use crate::fonts::{Fonts, Style};
use crate::symbols::{self, Bar};
use crate::template::{fill, parse_markup, truthy, Block, Column, FormKind, FormTemplate, SignatureBlock, TemplateSet};
use motcua_core::settings::Paper;

const MM: f32 = 72.0 / 25.4;
/// Line height as a multiple of the type size.
const LEADING: f32 = 1.22;

/// Paper and type sizes of one page format.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    pub w: f32,
    pub h: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
    pub size: f32,
    pub title: f32,
    pub header: f32,
    /// Room left for a handwritten signature (and a seal) above the signer's name.
    pub sign_space: f32,
    /// Side of the receipt's QR code.
    pub qr: f32,
}

impl PageSpec {
    /// Margins after Decree 30/2020/NĐ-CP for A4 (top/bottom 20 mm, left 30 mm, right 15 mm); A5 and
    /// the landscape logbook are scaled down to keep the text readable.
    pub fn for_paper(paper: &str) -> PageSpec {
        match paper {
            "A5" => PageSpec { w: 148.0 * MM, h: 210.0 * MM, top: 10.0 * MM, bottom: 10.0 * MM, left: 15.0 * MM, right: 10.0 * MM, size: 10.0, title: 12.0, header: 9.5, sign_space: 11.0 * MM, qr: 19.0 * MM },
            "A4-landscape" => PageSpec { w: 297.0 * MM, h: 210.0 * MM, top: 15.0 * MM, bottom: 15.0 * MM, left: 20.0 * MM, right: 15.0 * MM, size: 11.0, title: 14.0, header: 11.0, sign_space: 16.0 * MM, qr: 22.0 * MM },
            _ => PageSpec { w: 210.0 * MM, h: 297.0 * MM, top: 20.0 * MM, bottom: 15.0 * MM, left: 30.0 * MM, right: 15.0 * MM, size: 12.0, title: 14.0, header: 12.0, sign_space: 16.0 * MM, qr: 22.0 * MM },
        }
    }
    fn content_w(&self) -> f32 {
        self.w - self.left - self.right
    }
}

/// How to render: the receipt's paper and copies, and the reprint mark.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub receipt_paper: Paper,
    /// Copies ("liên") drawn into the document for the receipt; other forms draw one and let the
    /// printer make copies.
    pub copies: u32,
    /// "BẢN IN LẠI lần 2 – 09:15 23/11/2026", printed on every page of a reprint.
    pub reprint_mark: Option<String>,
    /// Deflate the streams (printpdf/lopdf compress at the best level: about 5 ms a receipt). Off for the
    /// receipt on the intake path, where speed matters and the file only goes to the local spooler.
    pub compress: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { receipt_paper: Paper::A5, copies: 1, reprint_mark: None, compress: true }
    }
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub paper: String,
    /// Characters the font could not draw (printed as '?'), and similar notes for the log.
    pub warnings: Vec<String>,
}

#[derive(Clone)]
struct Run {
    text: String,
    style: Style,
}

struct Canvas<'a> {
    spec: PageSpec,
    fonts: &'a Fonts,
    ids: [FontId; 3],
    pages: Vec<Vec<Op>>,
    y: f32,
    warnings: Vec<String>,
    /// QR and barcode shapes by payload: the receipt's copies share them (QR masking is costly).
    symbols: std::collections::HashMap<String, (Vec<Bar>, f32)>,
}

fn black() -> Color {
    Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None })
}

impl<'a> Canvas<'a> {
    fn new_page(&mut self) {
        self.pages.push(vec![Op::SetFillColor { col: black() }, Op::SetOutlineColor { col: black() }]);
        self.y = self.spec.top;
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }
    fn bottom(&self) -> f32 {
        self.spec.h - self.spec.bottom
    }
    /// Starts a new page unless `h` more points fit on this one; true if it did.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > self.bottom() && self.y > self.spec.top + 0.1 {
            self.new_page();
            return true;
        }
        false
    }
    fn font_id(&self, style: Style) -> FontId {
        match style {
            Style::Regular => self.ids[0].clone(),
            Style::Bold => self.ids[1].clone(),
            Style::Italic => self.ids[2].clone(),
        }
    }
    fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        self.fonts.face(style).width(text, size)
    }
    /// Draws one run with its baseline at `baseline` (points from the top).
    fn text(&mut self, x: f32, baseline: f32, style: Style, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let font = PdfFontHandle::External(self.font_id(style));
        let y = self.spec.h - baseline;
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont { font, size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
            Op::EndTextSection,
        ]);
    }
    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        self.line(x1, y, x2, y, thickness);
    }
    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let h = self.spec.h;
        let p = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(h - y) }, bezier: false };
        self.ops().extend([
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![p(x1, y1), p(x2, y2)], is_closed: false } },
        ]);
    }
    fn bars(&mut self, x: f32, top: f32, bars: &[Bar]) {
        let h = self.spec.h;
        let rings = bars
            .iter()
            .map(|b| {
                let (x0, y0, x1, y1) = (x + b.x, h - (top + b.y + b.h), x + b.x + b.w, h - (top + b.y));
                let p = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
                PolygonRing { points: vec![p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1)] }
            })
            .collect();
        self.ops().push(Op::DrawPolygon { polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero } });
    }

    /// Cleans text for the font: NFC, and '?' for what the font cannot draw (noted in the warnings).
    fn sanitise(&mut self, s: &str, style: Style) -> String {
        let s: String = s.nfc().collect();
        if s.chars().all(|c| self.fonts.face(style).has_glyph(c)) {
            return s;
        }
        let face = self.fonts.face(style);
        let bad: String = s.chars().filter(|c| !face.has_glyph(*c)).collect();
        self.warnings.push(format!("the font has no glyph for {bad:?}; printed as '?'"));
        s.chars().map(|c| if face.has_glyph(c) { c } else { '?' }).collect()
    }

    /// Breaks runs into lines no wider than `width`; `\n` forces a break; a word wider than the line is
    /// cut by characters.
    fn wrap(&self, runs: &[Run], size: f32, width: f32) -> Vec<Vec<Run>> {
        // Tokens: (text, style, is_space, is_newline)
        let mut tokens: Vec<(String, Style)> = Vec::new();
        for r in runs {
            let mut cur = String::new();
            for c in r.text.chars() {
                if c == '\n' || c == ' ' {
                    if !cur.is_empty() {
                        tokens.push((std::mem::take(&mut cur), r.style));
                    }
                    tokens.push((c.to_string(), r.style));
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                tokens.push((cur, r.style));
            }
        }
        let mut lines: Vec<Vec<Run>> = vec![Vec::new()];
        let mut x = 0.0;
        let push = |line: &mut Vec<Run>, text: &str, style: Style| match line.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => line.push(Run { text: text.to_string(), style }),
        };
        for (tok, style) in tokens {
            if tok == "\n" {
                lines.push(Vec::new());
                x = 0.0;
                continue;
            }
            let w = self.width(&tok, style, size);
            if tok == " " {
                if x > 0.0 {
                    push(lines.last_mut().unwrap(), " ", style);
                    x += w;
                }
                continue;
            }
            if x + w > width && x > 0.0 {
                trim_end(lines.last_mut().unwrap());
                lines.push(Vec::new());
                x = 0.0;
            }
            if w > width {
                // A single word wider than the line: cut it.
                let mut piece = String::new();
                let mut pw = 0.0;
                for c in tok.chars() {
                    let cw = self.width(&c.to_string(), style, size);
                    if pw + cw > width && !piece.is_empty() {
                        push(lines.last_mut().unwrap(), &piece, style);
                        lines.push(Vec::new());
                        piece.clear();
                        pw = 0.0;
                    }
                    piece.push(c);
                    pw += cw;
                }
                push(lines.last_mut().unwrap(), &piece, style);
                x = pw;
            } else {
                push(lines.last_mut().unwrap(), &tok, style);
                x += w;
            }
        }
        for l in &mut lines {
            trim_end(l);
        }
        lines
    }

    fn line_width(&self, line: &[Run], size: f32) -> f32 {
        line.iter().map(|r| self.width(&r.text, r.style, size)).sum()
    }

    fn draw_line(&mut self, line: &[Run], x: f32, baseline: f32, size: f32) {
        let mut x = x;
        for r in line {
            self.text(x, baseline, r.style, size, &r.text);
            x += self.width(&r.text, r.style, size);
        }
    }

    /// A wrapped paragraph at `x`, `width` wide, flowing onto new pages line by line.
    fn paragraph(&mut self, runs: &[Run], size: f32, x: f32, width: f32, align: Align) {
        let lh = size * LEADING;
        let lines = self.wrap(runs, size, width);
        // Keep a paragraph of up to 6 lines together: a list item is never split across pages.
        if lines.len() <= 6 {
            self.ensure(lh * lines.len() as f32);
        }
        for line in lines {
            self.ensure(lh);
            let lw = self.line_width(&line, size);
            let lx = match align {
                Align::Left => x,
                Align::Center => x + (width - lw) / 2.0,
            };
            let baseline = self.y + size;
            self.draw_line(&line, lx, baseline, size);
            self.y += lh;
        }
    }

    /// Lines of text centred in a column starting at `top`, without page breaks (header, signatures);
    /// returns the y under them.
    fn column_lines(&mut self, items: &[(String, Style, f32)], x: f32, width: f32, top: f32) -> f32 {
        let mut y = top;
        for (text, style, size) in items {
            if text.is_empty() {
                y += size * 0.6;
                continue;
            }
            let runs = [Run { text: text.clone(), style: *style }];
            for line in self.wrap(&runs, *size, width) {
                let lw = self.line_width(&line, *size);
                self.draw_line(&line, x + (width - lw) / 2.0, y + size, *size);
                y += size * 1.25;
            }
        }
        y
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
}

fn trim_end(line: &mut Vec<Run>) {
    while let Some(last) = line.last_mut() {
        let t = last.text.trim_end().to_string();
        if t.is_empty() {
            line.pop();
        } else {
            last.text = t;
            break;
        }
    }
}

/// Renders one form to PDF bytes.
pub fn render(set: &TemplateSet, kind: FormKind, data: &FormData, opts: &RenderOptions) -> Result<Rendered> {
    let json = serde_json::to_value(data).map_err(|e| FormsError::Template(e.to_string()))?;
    let code = data.dossier.as_ref().map(|d| d.code.as_str()).unwrap_or("");
    render_value(set, set.form(kind)?, kind == FormKind::Receipt, code, &json, opts)
}

/// Renders a template that is not one of the dossier forms (the printer's test page) from any data.
pub fn render_extra(set: &TemplateSet, form: &FormTemplate, data: &serde_json::Value, opts: &RenderOptions) -> Result<Rendered> {
    render_value(set, form, false, "", data, opts)
}

fn render_value(set: &TemplateSet, form: &FormTemplate, receipt: bool, code: &str, json: &serde_json::Value, opts: &RenderOptions) -> Result<Rendered> {
    let paper = match form.paper.as_str() {
        "setting" => opts.receipt_paper.as_str().to_string(),
        p => p.to_string(),
    };
    let mut spec = PageSpec::for_paper(&paper);
    if let (Some(size), "A4") = (form.a4_size, paper.as_str()) {
        spec.size = size.clamp(9.0, 14.0);
        spec.sign_space = spec.sign_space.min(14.0 * MM);
    }
    let fonts = Fonts::get();
    let mut doc = PdfDocument::new(&format!("{} {}", form.title, code));
    let ids = [doc.add_font(&fonts.face(Style::Regular).pdf), doc.add_font(&fonts.face(Style::Bold).pdf), doc.add_font(&fonts.face(Style::Italic).pdf)];
    let mut c = Canvas { spec, fonts, ids, pages: Vec::new(), y: 0.0, warnings: Vec::new(), symbols: Default::default() };

    let copies = if receipt { opts.copies.max(1) } else { 1 };
    let mut segments = Vec::new(); // (first page, last page + 1) of each copy
    for copy in 1..=copies {
        let first = c.pages.len();
        c.new_page();
        let label = if receipt && copies > 1 {
            let name = set.copy_labels.get(copy as usize - 1).map(|s| format!(": {s}")).unwrap_or_default();
            Some(format!("(Liên {copy}{name})"))
        } else {
            None
        };
        for block in &form.blocks {
            draw_block(&mut c, form, block, json, label.as_deref())?;
        }
        segments.push((first, c.pages.len()));
    }

    // Page furniture: form number and reprint mark at the top, page numbers at the bottom.
    let small = (spec.size - 2.5).max(7.0);
    for (first, end) in segments {
        let total = end - first;
        for (i, page) in (first..end).enumerate() {
            let mut extra = Vec::new();
            let mut tmp = Canvas { spec, fonts, ids: c.ids.clone(), pages: vec![Vec::new()], y: 0.0, warnings: Vec::new(), symbols: Default::default() };
            let number = if form.number.is_empty() { set.version.clone() } else { format!("{} – {}", form.number, set.version) };
            let nw = tmp.width(&number, Style::Italic, small);
            tmp.text(spec.w - spec.right - nw, spec.top * 0.55, Style::Italic, small, &number);
            if let Some(mark) = &opts.reprint_mark {
                let mark = tmp.sanitise(mark, Style::Bold);
                tmp.text(spec.left, spec.top * 0.55, Style::Bold, small + 1.0, &mark);
            }
            if total > 1 {
                let text = format!("Trang {}/{}", i + 1, total);
                let w = tmp.width(&text, Style::Regular, small);
                tmp.text((spec.w - w) / 2.0, spec.h - spec.bottom * 0.45, Style::Regular, small, &text);
            }
            extra.append(&mut tmp.pages[0]);
            c.pages[page].extend(extra);
        }
    }

    let pages: Vec<PdfPage> = c.pages.into_iter().map(|ops| PdfPage::new(Mm(spec.w / MM), Mm(spec.h / MM), ops)).collect();
    let n = pages.len();
    let mut warnings = Vec::new();
    let pdf = doc.with_pages(pages).save(&PdfSaveOptions { optimize: opts.compress, ..PdfSaveOptions::default() }, &mut warnings);
    let mut notes = c.warnings;
    notes.extend(warnings.into_iter().filter(|w| w.severity != printpdf::PdfParseErrorSeverity::Info).map(|w| w.msg));
    Ok(Rendered { pdf, pages: n, paper, warnings: notes })
}

fn runs_of(c: &mut Canvas, template: &str, data: &serde_json::Value, item: Option<&serde_json::Value>, base: Style) -> Vec<Run> {
    parse_markup(template)
        .into_iter()
        .map(|span| {
            let style = if span.bold { Style::Bold } else { base };
            let text = fill(&span.text, data, item);
            Run { text: c.sanitise(&text, style), style }
        })
        .collect()
}

fn draw_block(c: &mut Canvas, form: &FormTemplate, block: &Block, data: &serde_json::Value, copy_label: Option<&str>) -> Result<()> {
    let spec = c.spec;
    let (x, w, size) = (spec.left, spec.content_w(), spec.size);
    match block {
        Block::Header { number, number_text } => {
            let hs = spec.header;
            let left_w = w * 0.42;
            let right_x = x + left_w + w * 0.02;
            let right_w = w - left_w - w * 0.02;
            let top = c.y;
            let s = |c: &mut Canvas, p: &str, st: Style| c.sanitise(&fill(p, data, None), st);
            let parent = s(c, "{header.parent}", Style::Regular);
            let agency = s(c, "{header.agency_upper}", Style::Bold);
            let unit = s(c, "{header.unit_upper}", Style::Bold);
            let mut left = Vec::new();
            if !parent.is_empty() {
                left.push((parent, Style::Regular, hs));
            }
            left.push((agency, Style::Bold, hs));
            if form.paper != "A4-landscape" || !unit.is_empty() {
                left.push((unit, Style::Bold, hs));
            }
            let ly = c.column_lines(&left, x, left_w, top);
            c.hline(x + left_w * 0.35, x + left_w * 0.65, ly + 2.0, 0.5);
            let mut ly = ly + 4.0;
            if *number {
                let line = match number_text {
                    Some(t) => s(c, t, Style::Regular),
                    None => "Số:          /".to_string(),
                };
                ly = c.column_lines(&[(line, Style::Regular, hs)], x, left_w, ly);
            }
            // The motto shrinks to fit its column rather than wrapping.
            let motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
            let mut ms = hs;
            while c.width(motto, Style::Bold, ms) > right_w && ms > 6.0 {
                ms -= 0.25;
            }
            let ry = c.column_lines(&[(motto.to_string(), Style::Bold, ms), ("Độc lập - Tự do - Hạnh phúc".to_string(), Style::Bold, ms + 0.5)], right_x, right_w, top);
            let mw = c.width("Độc lập - Tự do - Hạnh phúc", Style::Bold, ms + 0.5);
            c.hline(right_x + (right_w - mw) / 2.0, right_x + (right_w + mw) / 2.0, ry + 2.0, 0.5);
            let place = s(c, "{header.place_date}", Style::Italic);
            let ry = c.column_lines(&[(String::new(), Style::Regular, hs), (place, Style::Italic, hs)], right_x, right_w, ry + 2.0);
            c.y = ly.max(ry) + size * 0.6;
        }
        Block::Title { text } => {
            let runs = [Run { text: c.sanitise(&fill(text, data, None), Style::Bold), style: Style::Bold }];
            c.ensure(spec.title * 3.0);
            c.y += spec.title * 0.3;
            c.paragraph(&runs, spec.title, x, w, Align::Center);
        }
        Block::Center { text, cond, unless } => {
            if cond.as_ref().is_some_and(|p| !truthy(p, data)) || unless.as_ref().is_some_and(|p| truthy(p, data)) {
                return Ok(());
            }
            let runs = runs_of(c, text, data, None, Style::Regular);
            c.paragraph(&runs, size, x, w, Align::Center);
        }
        Block::CopyLabel => {
            if let Some(label) = copy_label {
                let runs = [Run { text: c.sanitise(&fill(label, data, None), Style::Italic), style: Style::Italic }];
                c.paragraph(&runs, size - 1.0, x, w, Align::Center);
            }
        }
        Block::Codes => {
            let code = fill("{dossier.code}", data, None);
            let url = fill("{lookup_url}", data, None);
            let qr_size = spec.qr;
            let gap = 4.0 * MM;
            let bar_h = if spec.w < 450.0 { 9.0 * MM } else { 10.0 * MM };
            c.ensure(qr_size + 6.0);
            let top = c.y + 2.0;
            // Code 128 on the left, as wide as 0.33 mm modules allow (narrower if the line is short).
            let room = w - qr_size - gap - 20.0 * 0.33 * MM;
            let key = format!("128|{code}|{room}|{bar_h}");
            if !c.symbols.contains_key(&key) {
                let (_, units) = symbols::code128(&code, 1.0, bar_h).map_err(FormsError::Template)?;
                let module = (0.33 * MM).min(room / units);
                c.symbols.insert(key.clone(), symbols::code128(&code, module, bar_h).map_err(FormsError::Template)?);
            }
            let (bars, bw) = c.symbols[&key].clone();
            let module = bw / symbols::code128(&code, 1.0, bar_h).map_err(FormsError::Template)?.1;
            let bx = x + 10.0 * module;
            c.bars(bx, top + 2.0, &bars);
            let ts = (size - 1.5).max(8.0);
            let tw = c.width(&code, Style::Regular, ts);
            c.text(bx + (bw - tw) / 2.0, top + 2.0 + bar_h + ts + 1.0, Style::Regular, ts, &code);
            let hint = "Quét mã vạch khi bàn giao, trả kết quả";
            let hw = c.width(hint, Style::Italic, ts - 1.0);
            c.text(bx + (bw - hw) / 2.0, top + 2.0 + bar_h + 2.0 * ts + 3.0, Style::Italic, ts - 1.0, hint);
            if !url.is_empty() {
                let qx = x + w - qr_size;
                let key = format!("qr|{url}|{qr_size}");
                if !c.symbols.contains_key(&key) {
                    c.symbols.insert(key.clone(), (symbols::qr(&url, qr_size).map_err(FormsError::Template)?, qr_size));
                }
                let bars = c.symbols[&key].0.clone();
                c.bars(qx, top, &bars);
                let label = "Tra cứu hồ sơ";
                let lw = c.width(label, Style::Italic, ts - 1.0);
                c.text(qx + (qr_size - lw) / 2.0, top + qr_size + ts, Style::Italic, ts - 1.0, label);
            }
            c.y = top + qr_size + size * 0.9;
        }
        Block::Para { text, cond, unless, indent, small } => {
            if cond.as_ref().is_some_and(|p| !truthy(p, data)) || unless.as_ref().is_some_and(|p| truthy(p, data)) {
                return Ok(());
            }
            let style = if *small { Style::Italic } else { Style::Regular };
            let runs = runs_of(c, text, data, None, style);
            let dx = if *indent { 10.0 * MM } else { 0.0 };
            c.paragraph(&runs, if *small { size - 2.0 } else { size }, x + dx, w - dx, Align::Left);
        }
        Block::List { items, text, empty } => {
            let list = crate::template::lookup(items, data, None).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            let indent = 6.0 * MM;
            if list.is_empty() {
                let runs = [Run { text: c.sanitise(empty, Style::Regular), style: Style::Regular }];
                c.paragraph(&runs, size, x + indent, w - indent, Align::Left);
            }
            for item in &list {
                let runs = runs_of(c, text, data, Some(item), Style::Regular);
                c.paragraph(&runs, size, x + indent, w - indent, Align::Left);
            }
        }
        Block::Table { rows, columns, min_rows, row_min_mm, size: tsize } => {
            let list = crate::template::lookup(rows, data, None).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            table(c, columns, &list, *min_rows, *row_min_mm * MM, tsize.unwrap_or(size - 2.0), data);
        }
        Block::Signatures { blocks, left_recipients } => signatures(c, blocks, left_recipients, data),
    }
    Ok(())
}

fn table(c: &mut Canvas, columns: &[Column], rows: &[serde_json::Value], min_rows: usize, row_min: f32, size: f32, data: &serde_json::Value) {
    let spec = c.spec;
    let total: f32 = columns.iter().map(|col| col.weight).sum();
    let widths: Vec<f32> = columns.iter().map(|col| spec.content_w() * col.weight / total).collect();
    let pad = 2.0;
    let lh = size * 1.25;

    let header: Vec<Vec<Vec<Run>>> = columns
        .iter()
        .zip(&widths)
        .map(|(col, w)| c.wrap(&[Run { text: c.fonts_sanitised(&col.title, Style::Bold), style: Style::Bold }], size, w - 2.0 * pad))
        .collect();
    let header_h = header.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad;

    let draw_row = |c: &mut Canvas, cells: &[Vec<Vec<Run>>], h: f32, centre: bool| {
        let top = c.y;
        let mut x = spec.left;
        c.hline(spec.left, spec.left + spec.content_w(), top, 0.6);
        for (cell, w) in cells.iter().zip(&widths) {
            let mut y = top + pad;
            for line in cell {
                let lw = c.line_width(line, size);
                let lx = if centre { x + (w - lw) / 2.0 } else { x + pad };
                c.draw_line(line, lx, y + size, size);
                y += lh;
            }
            c.line(x, top, x, top + h, 0.6);
            x += w;
        }
        c.line(x, top, x, top + h, 0.6);
        c.hline(spec.left, x, top + h, 0.6);
        c.y = top + h;
    };

    c.ensure(header_h + lh * 2.0 + 2.0 * pad);
    draw_row(c, &header, header_h, true);
    let blank = serde_json::Value::Object(Default::default());
    let n = rows.len().max(min_rows);
    for i in 0..n {
        let item = rows.get(i).unwrap_or(&blank);
        let cells: Vec<Vec<Vec<Run>>> = columns
            .iter()
            .zip(&widths)
            .map(|(col, w)| {
                let text = if rows.get(i).is_some() { fill(&col.text, data, Some(item)) } else { String::new() };
                let text = c.sanitise(text.trim(), Style::Regular);
                c.wrap(&[Run { text, style: Style::Regular }], size, w - 2.0 * pad)
            })
            .collect();
        let h = (cells.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad).max(row_min);
        if c.ensure(h) {
            draw_row(c, &header, header_h, true);
        }
        draw_row(c, &cells, h, false);
    }
    c.y += size;
}

impl Canvas<'_> {
    fn fonts_sanitised(&self, s: &str, style: Style) -> String {
        let face = self.fonts.face(style);
        s.nfc().map(|ch| if face.has_glyph(ch) { ch } else { '?' }).collect()
    }
}

fn signatures(c: &mut Canvas, blocks: &[SignatureBlock], recipients: &[String], data: &serde_json::Value) {
    let spec = c.spec;
    let size = spec.size;
    let n = blocks.len().max(1) as f32;
    let col_w = spec.content_w() / n;
    // Kept whole: title, note, room to sign, name.
    let needed = size * 0.8 + size * 1.25 + (size - 1.0) * 1.25 + spec.sign_space + size * 1.25;
    c.ensure(needed);
    let top = c.y + size * 0.8;
    let mut bottom = top;
    for (i, b) in blocks.iter().enumerate() {
        let x = spec.left + col_w * i as f32;
        if i == 0 && !recipients.is_empty() {
            let small = size - 2.0;
            let mut y = top + small;
            c.text(x, y, Style::Bold, small, "Nơi nhận:");
            for r in recipients {
                y += small * 1.25;
                let line = c.sanitise(&format!("- {}", fill(r, data, None)), Style::Regular);
                c.text(x, y, Style::Regular, small, &line);
            }
            bottom = bottom.max(y + small);
            continue;
        }
        let title = c.sanitise(&fill(&b.title, data, None), Style::Bold);
        let note = c.sanitise(&fill(&b.note, data, None), Style::Italic);
        let name = c.sanitise(&fill(&b.name, data, None), Style::Bold);
        if title.is_empty() && name.is_empty() {
            continue;
        }
        let y = c.column_lines(&[(title, Style::Bold, size), (note, Style::Italic, size - 1.0)], x, col_w, top);
        let y = c.column_lines(&[(name, Style::Bold, size)], x, col_w, y + spec.sign_space);
        bottom = bottom.max(y);
    }
    c.y = bottom + size;
}
