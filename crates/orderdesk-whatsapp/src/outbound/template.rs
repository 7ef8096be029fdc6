//! Templates: the only messages allowed outside the 24-hour window.

use super::{check_text, OutboundError, TEMPLATE_NAME_MAX};

/// A pre-approved template, the only kind of message allowed outside the
/// 24-hour customer service window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Template {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<TemplateComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct Language {
    code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct TemplateComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    parameters: Vec<TemplateParameter>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct TemplateParameter {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

impl Template {
    /// A template without parameters, e.g. `Template::new("hello_world", "en_US")`.
    ///
    /// # Errors
    /// Blank name or language code, or a name over [`TEMPLATE_NAME_MAX`].
    pub fn new(
        name: impl Into<String>,
        language_code: impl Into<String>,
    ) -> Result<Self, OutboundError> {
        Ok(Self {
            name: check_text("template.name", name.into(), TEMPLATE_NAME_MAX)?,
            language: Language {
                code: check_text("template.language.code", language_code.into(), usize::MAX)?,
            },
            components: Vec::new(),
        })
    }

    /// Fills the body's `{{1}}`, `{{2}}`, … in order with text parameters.
    /// Meta checks the count against the approved template (error 132000).
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank value, which Meta refuses.
    pub fn with_body_text<I, S>(mut self, values: I) -> Result<Self, OutboundError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let parameters = values
            .into_iter()
            .map(|value| {
                Ok(TemplateParameter {
                    kind: "text",
                    text: check_text(
                        "template.components[].parameters[].text",
                        value.into(),
                        usize::MAX,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, OutboundError>>()?;
        self.components.retain(|c| c.kind != "body");
        if !parameters.is_empty() {
            self.components.push(TemplateComponent {
                kind: "body",
                parameters,
            });
        }
        Ok(self)
    }
}
