//! A YAML loader that keeps the byte span of every node, so that a
//! diagnostic can point at the exact bad value (one control ID inside a
//! list), and that reads every field even when some are wrong.
//!
//! Scalars keep their text; typing happens where the field is read, which is
//! how `5.2` stays the clause ID "5.2" and not the float 5.2, and how
//! `applicable: no` can be told apart from `false` (YAML 1.2 booleans only).

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Most nodes one front matter block may expand to. Aliases that would go
/// past it are refused, which defuses "billion laughs" alias bombs.
pub const MAX_NODES: usize = 100_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar with its (unescaped) text; `plain` is false when quoted or a block scalar.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Byte range in the whole source file.
    pub span: Range<usize>,
}

impl Node {
    /// The node's text if it is a scalar (of any style).
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A YAML 1.2 core-schema boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "nothing (null)",
            Value::Scalar { .. } => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    fn size(&self) -> usize {
        match &self.value {
            Value::Scalar { .. } => 1,
            Value::Seq(s) => 1 + s.iter().map(Node::size).sum::<usize>(),
            Value::Map(m) => 1 + m.iter().map(|(k, v)| k.size() + v.size()).sum::<usize>(),
        }
    }
}

/// Why a YAML text could not be loaded; `offset` is a byte offset in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub offset: usize,
}

/// Parses `text`, which starts at byte `base` of its file, into one node
/// (an empty text is a null scalar).
pub fn parse(text: &str, base: usize) -> Result<Node, YamlError> {
    let offsets = Offsets::new(text, base);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(item) = parser.next_event() {
        let (event, span) = item.map_err(|e| YamlError {
            message: e.info().to_string(),
            offset: offsets.at(e.marker().line(), e.marker().col()),
        })?;
        let range = offsets.span(&span);
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                if builder.root.is_some() {
                    return Err(YamlError {
                        message: "more than one YAML document in the front matter".into(),
                        offset: range.start,
                    });
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                    span: range,
                };
                builder.push(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let Some(target) = builder.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias to an unknown anchor".into(),
                        offset: range.start,
                    });
                };
                let size = target.size();
                if builder.nodes + size > MAX_NODES {
                    return Err(YamlError {
                        message: format!("aliases expand to more than {MAX_NODES} values (a YAML alias bomb?)"),
                        offset: range.start,
                    });
                }
                let mut node = target.clone();
                node.span = range;
                builder.push(node, 0, size)?;
            }
            Event::SequenceStart(anchor, _) => builder.stack.push(Open::Seq(Vec::new(), range.start, anchor)),
            Event::MappingStart(anchor, _) => builder.stack.push(Open::Map(Vec::new(), None, range.start, anchor)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match builder.stack.pop() {
                    Some(Open::Seq(items, start, anchor)) => (
                        Node {
                            value: Value::Seq(items),
                            span: start..range.end.max(start),
                        },
                        anchor,
                    ),
                    Some(Open::Map(items, _, start, anchor)) => (
                        Node {
                            value: Value::Map(items),
                            span: start..range.end.max(start),
                        },
                        anchor,
                    ),
                    None => {
                        return Err(YamlError {
                            message: "unbalanced collection".into(),
                            offset: range.start,
                        });
                    }
                };
                builder.push(node.0, node.1, 1)?;
            }
        }
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Scalar {
            text: String::new(),
            plain: true,
        },
        span: base..base,
    }))
}

enum Open {
    Seq(Vec<Node>, usize, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize, usize),
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder {
    /// `added` is how many values `node` adds to the total: 1 for a scalar or
    /// a closed collection (its items were counted as they came), the whole
    /// size for an alias.
    fn push(&mut self, node: Node, anchor: usize, added: usize) -> Result<(), YamlError> {
        self.nodes += added;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                message: format!("front matter has more than {MAX_NODES} values"),
                offset: node.span.start,
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Open::Seq(items, ..)) => items.push(node),
            Some(Open::Map(items, key, ..)) => match key.take() {
                Some(k) => items.push((k, node)),
                None => *key = Some(node),
            },
            None => self.root = Some(node),
        }
        Ok(())
    }
}

/// Converts the parser's (line, character column) markers into byte offsets.
struct Offsets<'a> {
    text: &'a str,
    base: usize,
    line_starts: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Offsets {
            text,
            base,
            line_starts,
        }
    }

    /// `line` is 1-based, `col` a 0-based character column.
    fn at(&self, line: usize, col: usize) -> usize {
        let idx = line.clamp(1, self.line_starts.len()) - 1;
        let start = self.line_starts[idx];
        let rest = &self.text[start..];
        let byte = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        self.base + start + byte
    }

    fn span(&self, span: &Span) -> Range<usize> {
        let start = self.at(span.start.line(), span.start.col());
        let end = self.at(span.end.line(), span.end.col()).max(start);
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_list_items() {
        let text = "satisfies:\n  iso42001: [\"5.2\", A.2.2]\n";
        let node = parse(text, 10).unwrap();
        let map = node.as_map().unwrap();
        let inner = map[0].1.as_map().unwrap();
        let items = inner[0].1.as_seq().unwrap();
        assert_eq!(items[1].as_scalar(), Some("A.2.2"));
        let s = &items[1].span;
        assert_eq!(&text[s.start - 10..s.end - 10], "A.2.2");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            text.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let err = parse(&text, 0).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn booleans_are_yaml_1_2() {
        let node = parse("a: no\nb: false\n", 0).unwrap();
        let map = node.as_map().unwrap();
        assert_eq!(map[0].1.as_bool(), None);
        assert_eq!(map[1].1.as_bool(), Some(false));
    }
}
