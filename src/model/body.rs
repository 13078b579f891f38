//! What the checker needs from a document body: its relative links, its
//! `[[ID]]` references and the anchors its headings define. The body is
//! parsed once here; the portal renders it separately.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// Markdown extensions aimsc understands, shared with the portal renderer.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The destination as written, e.g. `../policies/ai.md#roles`.
    pub dest: String,
    /// Byte range of the whole link in the file.
    pub span: Range<usize>,
}

/// A `[[...]]` reference: `[[POL-001]]` (a document) or
/// `[[iso42001:A.6.2.4]]` (a requirement).
#[derive(Clone, Debug, PartialEq)]
pub struct IdRef {
    pub standard: Option<String>,
    pub id: String,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Byte offset of the body in its file.
    pub start: usize,
    pub links: Vec<Link>,
    pub id_refs: Vec<IdRef>,
    pub headings: Vec<Heading>,
    /// Number of words, for registers.
    pub words: usize,
    /// Whether the text speaks of AI, models or their data (see [`mentions_ai`]).
    pub mentions_ai: bool,
}

impl Body {
    /// Scans `text[start..]` (the whole file is passed so that spans are file offsets).
    pub fn parse(text: &str, start: usize) -> Body {
        let src = &text[start..];
        let mut body = Body {
            start,
            ..Body::default()
        };
        let mut heading: Option<(u8, Option<String>, String)> = None;
        let mut used: Vec<String> = Vec::new();
        for (event, range) in Parser::new_ext(src, markdown_options()).into_offset_iter() {
            let span = start + range.start..start + range.end;
            match event {
                Event::Start(Tag::Link {
                    link_type, dest_url, ..
                }) => {
                    if let LinkType::WikiLink { .. } = link_type {
                        let dest = dest_url.trim();
                        let (standard, id) = match dest.split_once(':') {
                            Some((s, i)) => (Some(s.trim().to_string()), i.trim().to_string()),
                            None => (None, dest.to_string()),
                        };
                        body.id_refs.push(IdRef { standard, id, span });
                    } else if matches!(
                        link_type,
                        LinkType::Inline | LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
                    ) {
                        body.links.push(Link {
                            dest: dest_url.to_string(),
                            span,
                        });
                    }
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    body.links.push(Link {
                        dest: dest_url.to_string(),
                        span,
                    });
                }
                Event::Start(Tag::Heading { level, id, .. }) => {
                    heading = Some((heading_level(level), id.map(|s| s.to_string()), String::new()));
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, _, buf)) = heading.as_mut() {
                        buf.push_str(&t);
                    }
                    body.words += t.split_whitespace().count();
                    if !body.mentions_ai {
                        body.mentions_ai = mentions_ai(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, explicit, text)) = heading.take() {
                        let anchor = match explicit {
                            Some(id) => id,
                            None => unique(slug(&text), &mut used),
                        };
                        body.headings.push(Heading {
                            level,
                            text: text.trim().to_string(),
                            anchor,
                        });
                    }
                }
                _ => {}
            }
        }
        body
    }

    pub fn has_anchor(&self, anchor: &str) -> bool {
        self.headings.iter().any(|h| h.anchor == anchor)
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Whether a text speaks of AI, models or their data. Used to catch
/// information-security documents claimed as AI controls: such a document
/// never says any of these words.
pub fn mentions_ai(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "ai",
        "a.i.",
        "ml",
        "llm",
        "llms",
        "genai",
        "model",
        "models",
        "algorithm",
        "algorithms",
        "algorithmic",
        "chatbot",
        "chatbots",
        "classifier",
        "classifiers",
        "aims",
    ];
    const PHRASES: &[&str] = &[
        "artificial intelligence",
        "machine learning",
        "machine-learning",
        "training data",
        "neural network",
        "deep learning",
        "language model",
        "inference",
        "ai system",
        "ai-system",
        "ai-generated",
    ];
    let lower = text.to_lowercase();
    PHRASES.iter().any(|p| lower.contains(p))
        || lower
            .split(|c: char| !(c.is_alphanumeric() || c == '.'))
            .map(|w| w.trim_end_matches('.'))
            .any(|w| WORDS.contains(&w) || (w.starts_with("ai-") && w.len() > 3))
}

/// GitHub-style heading slug: lower case, spaces to `-`, punctuation dropped.
pub fn slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Repeated headings get `-1`, `-2` ... as on GitHub.
fn unique(base: String, used: &mut Vec<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 0;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    used.push(candidate.clone());
    candidate
}

/// Anchors of a Markdown file that is not a governed document (a README).
pub fn anchors_of(text: &str) -> Vec<String> {
    Body::parse(text, 0).headings.into_iter().map(|h| h.anchor).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_refs_and_anchors() {
        let text = "# Roles and Responsibilities\n\nSee [AI policy](../ai.md#scope), [[POL-001]] and [[iso42001:A.6.2.4]].\n\n## Roles and Responsibilities\n\n`[[NOT-A-REF]]`\n";
        let b = Body::parse(text, 0);
        assert_eq!(b.links.len(), 1);
        assert_eq!(b.links[0].dest, "../ai.md#scope");
        assert_eq!(b.id_refs.len(), 2);
        assert_eq!(b.id_refs[1].standard.as_deref(), Some("iso42001"));
        assert_eq!(b.id_refs[1].id, "A.6.2.4");
        assert_eq!(&text[b.id_refs[0].span.clone()], "[[POL-001]]");
        assert!(b.mentions_ai, "\"AI policy\" speaks of AI");
        assert!(mentions_ai("The model is retrained monthly."));
        assert!(mentions_ai("Our AI policy."));
        assert!(!mentions_ai("Paid by the email domain."));
        let anchors: Vec<_> = b.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["roles-and-responsibilities", "roles-and-responsibilities-1"]);
    }
}
