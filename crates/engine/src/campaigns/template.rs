//! Campaign message templates: variables (`{{first_name|there}}`, custom fields by key) and spintax
//! (`{Hi|Hello|Hey}`, nested). A template is parsed once into a tree; a syntax mistake or an unknown
//! variable is an error naming the problem, so a customer never gets a blank or a stray brace.

use std::collections::BTreeMap;

use rand::Rng;

/// The built-in variables; any other name is a custom field key.
pub const BUILT_IN: &[&str] = &["name", "first_name", "phone"];

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Variable {
        name: String,
        fallback: Option<String>,
    },
    /// One of the alternatives, picked at random for each recipient.
    Spin(Vec<Vec<Node>>),
}

/// What a recipient gives the variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// The contact's name (`{{name}}`; `{{first_name}}` is its first word).
    pub name: String,
    /// The contact's number (`{{phone}}`).
    pub phone: String,
    /// Custom fields by key (`{{key}}`).
    pub fields: BTreeMap<String, String>,
}

impl Values {
    fn get(&self, variable: &str) -> Option<String> {
        let value = match variable {
            "name" => self.name.trim().to_owned(),
            "first_name" => self
                .name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
            "phone" => self.phone.clone(),
            key => self.fields.get(key).map(|v| v.trim().to_owned())?,
        };
        (!value.is_empty()).then_some(value)
    }
}

/// A problem with a template's text, for people (shown on the `message` field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl Template {
    /// Parses a template. Write `\{`, `\}`, `\|` or `\\` for those characters themselves.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let chars: Vec<char> = text.chars().collect();
        let mut parser = Parser { chars, at: 0 };
        let nodes = parser.sequence(0)?;
        Ok(Template { nodes })
    }

    /// Every variable the template uses, once each, in order of appearance.
    pub fn variables(&self) -> Vec<&str> {
        fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a str>) {
            for node in nodes {
                match node {
                    Node::Text(_) => {}
                    Node::Variable { name, .. } => {
                        if !out.contains(&name.as_str()) {
                            out.push(name);
                        }
                    }
                    Node::Spin(options) => options.iter().for_each(|o| walk(o, out)),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, &mut out);
        out
    }

    /// Fails on the first variable that is neither built in nor one of `custom_keys`.
    pub fn check_variables(&self, custom_keys: &dyn Fn(&str) -> bool) -> Result<(), TemplateError> {
        match self
            .variables()
            .into_iter()
            .find(|v| !BUILT_IN.contains(v) && !custom_keys(v))
        {
            Some(unknown) => Err(TemplateError(format!(
                "Unknown variable {{{{{unknown}}}}}: use {{{{name}}}}, {{{{first_name}}}}, \
                 {{{{phone}}}} or a custom field of your contacts"
            ))),
            None => Ok(()),
        }
    }

    /// The message for one recipient. A variable without a value and without a fallback is an
    /// error naming it (the recipient is skipped rather than sent a blank).
    pub fn render(&self, values: &Values, rng: &mut impl Rng) -> Result<String, TemplateError> {
        let mut out = String::new();
        render_into(&self.nodes, values, rng, &mut out)?;
        Ok(out.trim().to_owned())
    }

    /// How many different texts spintax can make (capped), for the preview.
    pub fn variant_count(&self) -> u64 {
        fn count(nodes: &[Node]) -> u64 {
            nodes.iter().fold(1u64, |acc, node| match node {
                Node::Spin(options) => acc.saturating_mul(
                    options
                        .iter()
                        .map(|o| count(o))
                        .fold(0u64, u64::saturating_add),
                ),
                _ => acc,
            })
        }
        count(&self.nodes)
    }
}

fn render_into(
    nodes: &[Node],
    values: &Values,
    rng: &mut impl Rng,
    out: &mut String,
) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Variable { name, fallback } => match (values.get(name), fallback) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(fallback)) => out.push_str(fallback),
                (None, None) => {
                    return Err(TemplateError(format!(
                        "no value for {{{{{name}}}}} and no fallback"
                    )))
                }
            },
            Node::Spin(options) => {
                let pick = rng.gen_range(0..options.len());
                render_into(&options[pick], values, rng, out)?;
            }
        }
    }
    Ok(())
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    /// Nodes until the end (depth 0) or until a `|` or `}` closing the spintax group at `depth`.
    fn sequence(&mut self, depth: usize) -> Result<Vec<Node>, TemplateError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            match c {
                '\\' if matches!(self.peek(1), Some('{' | '}' | '|' | '\\')) => {
                    text.extend(self.peek(1));
                    self.at += 2;
                }
                '{' if self.peek(1) == Some('{') => {
                    flush(&mut text, &mut nodes);
                    nodes.push(self.variable()?);
                }
                '{' => {
                    flush(&mut text, &mut nodes);
                    nodes.push(self.spin(depth + 1)?);
                }
                '}' | '|' if depth > 0 => break,
                '}' => {
                    return Err(TemplateError(format!(
                        "The '}}' at character {} has no matching '{{' (write \\}} for the \
                         character itself)",
                        self.at + 1
                    )))
                }
                _ => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        flush(&mut text, &mut nodes);
        Ok(nodes)
    }

    fn spin(&mut self, depth: usize) -> Result<Node, TemplateError> {
        let opened_at = self.at + 1;
        self.at += 1;
        let mut options = vec![self.sequence(depth)?];
        loop {
            match self.peek(0) {
                Some('|') => {
                    self.at += 1;
                    options.push(self.sequence(depth)?);
                }
                Some('}') => {
                    self.at += 1;
                    break;
                }
                _ => {
                    return Err(TemplateError(format!(
                        "The '{{' at character {opened_at} is never closed with '}}' (write \\{{ \
                         for the character itself)"
                    )))
                }
            }
        }
        if options.len() < 2 {
            return Err(TemplateError(format!(
                "The choice at character {opened_at} needs at least two options separated by \
                 '|', like {{Hi|Hello}} (write \\{{ for a brace itself)"
            )));
        }
        Ok(Node::Spin(options))
    }

    fn variable(&mut self) -> Result<Node, TemplateError> {
        let opened_at = self.at + 1;
        self.at += 2;
        let mut inside = String::new();
        loop {
            match self.peek(0) {
                Some('}') if self.peek(1) == Some('}') => {
                    self.at += 2;
                    break;
                }
                Some('{' | '}') | None => {
                    return Err(TemplateError(format!(
                        "The variable at character {opened_at} is not closed with '}}}}'"
                    )))
                }
                Some(c) => {
                    inside.push(c);
                    self.at += 1;
                }
            }
        }
        let (name, fallback) = match inside.split_once('|') {
            Some((name, fallback)) => (name, Some(fallback.trim().to_owned())),
            None => (inside.as_str(), None),
        };
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(TemplateError(format!(
                "The variable at character {opened_at} has no name, like {{{{first_name}}}}"
            )));
        }
        Ok(Node::Variable { name, fallback })
    }
}

fn flush(text: &mut String, nodes: &mut Vec<Node>) {
    if !text.is_empty() {
        nodes.push(Node::Text(std::mem::take(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn ana() -> Values {
        Values {
            name: "Ana Souza".into(),
            phone: "+5511912345678".into(),
            fields: BTreeMap::from([("city".to_owned(), "Recife".to_owned())]),
        }
    }

    fn render(text: &str, values: &Values) -> Result<String, TemplateError> {
        Template::parse(text)?.render(values, &mut StdRng::seed_from_u64(7))
    }

    #[test]
    fn variables_render_with_values_and_fallbacks() {
        let nobody = Values {
            phone: "+15550000001".into(),
            ..Values::default()
        };
        for (text, values, expected) in [
            ("Hi {{name}}", ana(), "Hi Ana Souza"),
            ("Hi {{first_name}}!", ana(), "Hi Ana!"),
            ("Hi {{ first_name | there }}!", nobody.clone(), "Hi there!"),
            ("Hi {{first_name|there}}!", ana(), "Hi Ana!"),
            ("Your number {{phone}}", ana(), "Your number +5511912345678"),
            ("See you in {{city}}", ana(), "See you in Recife"),
            (
                "See you in {{city|town}}",
                nobody.clone(),
                "See you in town",
            ),
            (
                "Literal \\{braces\\} and a|pipe",
                ana(),
                "Literal {braces} and a|pipe",
            ),
            ("50% off {{first_name|}}", nobody.clone(), "50% off"),
        ] {
            assert_eq!(render(text, &values).unwrap(), expected, "{text}");
        }
        let missing = render("Hi {{first_name}}", &nobody).unwrap_err();
        assert!(missing.0.contains("{{first_name}}"), "{missing}");
    }

    #[test]
    fn syntax_errors_name_the_problem() {
        for (text, needle) in [
            ("Hi {Ana", "never closed"),
            ("Hi Ana}", "no matching"),
            ("Hi {{name", "not closed"),
            ("Hi {{name}", "not closed"),
            ("Hi {{}}", "no name"),
            ("Hi {{ | there}}", "no name"),
            ("{Hi|Hello {there|you}", "never closed"),
            ("{Hi}", "at least two options"),
            ("{{na{me}}", "not closed"),
        ] {
            let err = Template::parse(text).unwrap_err();
            assert!(err.0.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn unknown_variables_are_refused_by_name() {
        let template = Template::parse("Hi {{first_name}}, {{citty}} and {{city}}").unwrap();
        assert_eq!(template.variables(), ["first_name", "citty", "city"]);
        let err = template.check_variables(&|k| k == "city").unwrap_err();
        assert!(err.0.contains("{{citty}}"), "{err}");
        assert!(template
            .check_variables(&|k| k == "city" || k == "citty")
            .is_ok());
    }

    #[test]
    fn spintax_picks_every_option_nested_and_never_leaks_braces() {
        let template =
            Template::parse("{Hi|Hello|Hey {{first_name}}}, {today|{this|next} week}").unwrap();
        assert_eq!(template.variant_count(), 9);
        let mut seen = std::collections::BTreeSet::new();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..300 {
            let text = template.render(&ana(), &mut rng).unwrap();
            assert!(!text.contains(['{', '}', '|']), "{text}");
            seen.insert(text);
        }
        assert_eq!(seen.len(), 9, "{seen:?}");
        assert!(seen.contains("Hey Ana, next week"));
    }

    #[test]
    fn the_same_seed_gives_the_same_message() {
        let template = Template::parse("{a|b|c|d}{e|f|g|h}").unwrap();
        let one = template
            .render(&ana(), &mut StdRng::seed_from_u64(42))
            .unwrap();
        let two = template
            .render(&ana(), &mut StdRng::seed_from_u64(42))
            .unwrap();
        assert_eq!(one, two);
    }
}
