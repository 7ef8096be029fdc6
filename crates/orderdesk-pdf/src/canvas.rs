//! A4 pages to draw on, top to bottom: text (left or right aligned,
//! wrapped to a width), rules and shaded bands, with a cursor that starts
//! a new page when the next block would not fit above the bottom margin.

use pdf_writer::Content;

use crate::text::Family;

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 42.0;

/// Which face to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

pub(crate) struct Canvas {
    pub(crate) regular: Family,
    pub(crate) bold: Family,
    pub(crate) pages: Vec<Content>,
    /// Where the next line's top is, in points from the page's bottom.
    pub(crate) y: f32,
}

impl Canvas {
    pub(crate) fn new(regular: Family, bold: Family) -> Self {
        Self {
            regular,
            bold,
            pages: vec![Content::new()],
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn font(&self, face: Face) -> &Family {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The current page and the face's fonts, borrowed together.
    fn page_and_family(&mut self, face: Face) -> (&mut Content, &mut Family) {
        self.page();
        let last = self.pages.len() - 1;
        let family = match face {
            Face::Regular => &mut self.regular,
            Face::Bold => &mut self.bold,
        };
        (&mut self.pages[last], family)
    }

    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        self.font(face).width(text, size)
    }

    /// Starts a new page when less than `height` is left; true if it did.
    pub(crate) fn ensure(&mut self, height: f32) -> bool {
        if self.y - height >= MARGIN {
            return false;
        }
        self.pages.push(Content::new());
        self.y = PAGE_HEIGHT - MARGIN;
        true
    }

    /// Draws `text` with its baseline at `baseline`, its left edge at `x`.
    pub(crate) fn text_at(&mut self, face: Face, size: f32, x: f32, baseline: f32, text: &str) {
        let (page, family) = self.page_and_family(face);
        family.draw(page, size, x, baseline, text);
    }

    /// Draws `text` ending at `right`.
    pub(crate) fn text_right(
        &mut self,
        face: Face,
        size: f32,
        right: f32,
        baseline: f32,
        text: &str,
    ) {
        let x = right - self.width(face, size, text);
        self.text_at(face, size, x, baseline, text);
    }

    /// Splits `text` into lines no wider than `width` (at spaces; a word
    /// wider than the line is cut between characters).
    pub(crate) fn wrap(&self, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(face, size, &candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(face, size, &line) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A horizontal rule across `x0..x1` at `y`.
    pub(crate) fn rule(&mut self, x0: f32, x1: f32, y: f32, gray: f32, width: f32) {
        let page = self.page();
        page.save_state();
        page.set_stroke_gray(gray);
        page.set_line_width(width);
        page.move_to(x0, y);
        page.line_to(x1, y);
        page.stroke();
        page.restore_state();
    }

    /// A shaded band (a table header's background).
    pub(crate) fn band(&mut self, x: f32, y: f32, width: f32, height: f32, gray: f32) {
        let page = self.page();
        page.save_state();
        page.set_fill_gray(gray);
        page.rect(x, y, width, height);
        page.fill_nonzero();
        page.restore_state();
    }
}
