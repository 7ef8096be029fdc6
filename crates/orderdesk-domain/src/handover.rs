//! When a customer is asking for a person: the handover rule.
//!
//! The keywords are a comma-separated text the business edits like any
//! other customer text (`handover_keywords`, per language). A message asks
//! for a person when, lower-cased and stripped of punctuation, it is one of
//! the keywords or contains one as whole words ("I want to talk to a
//! person please" matches "talk to a person"; "agents of change" does not
//! match "agent"). Short on purpose: a false match costs a person one
//! look, a missed one leaves a customer looping with the bot.

/// Words of `text`, lower case, punctuation dropped.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `text` asks for a person, given the comma-separated `keywords`.
pub fn asks_for_person(text: &str, keywords: &str) -> bool {
    let said = words(text);
    keywords
        .split(',')
        .map(words)
        .filter(|k| !k.is_empty())
        .any(|k| said.windows(k.len()).any(|w| w == k.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYWORDS: &str = "agent, human, talk to a person, speak to someone";

    #[test]
    fn a_keyword_or_phrase_as_whole_words_asks_for_a_person() {
        for text in [
            "agent",
            "AGENT!!",
            "I want to talk to a person",
            "Can I speak to someone, please?",
            "human?",
        ] {
            assert!(asks_for_person(text, KEYWORDS), "{text}");
        }
    }

    #[test]
    fn other_text_and_parts_of_words_do_not() {
        for text in [
            "My address is 12 MG Road, Bengaluru 560001",
            "agents of change",
            "humane",
            "talk to a",
            "",
        ] {
            assert!(!asks_for_person(text, KEYWORDS), "{text}");
        }
        assert!(!asks_for_person("agent", " , ,"));
    }
}
