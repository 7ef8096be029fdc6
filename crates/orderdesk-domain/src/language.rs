//! Which language a customer writes in, guessed from their message, so the
//! bot answers in it (issue #19): by script first (Devanagari is Hindi,
//! Tamil script is Tamil, …), then for Latin script by a few everyday
//! words. Deliberately simple: a guess it cannot make is `None`, and the
//! business's language applies; staff can always set a customer's language
//! by hand.

/// Language codes as WhatsApp's templates name them (`hi`, `pt_BR`).
const SCRIPTS: &[(u32, u32, &str)] = &[
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B00, 0x0B7F, "or"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0600, 0x06FF, "ar"),
    (0x0400, 0x04FF, "ru"),
    (0x0E00, 0x0E7F, "th"),
    (0x0590, 0x05FF, "he"),
];

/// Letters only Urdu (not Arabic) writes, to tell the two apart.
const URDU_LETTERS: &[char] = &['ے', 'ٹ', 'ڈ', 'ڑ', 'ں', 'ہ', 'ھ', 'گ', 'چ', 'پ'];

/// Everyday words of Latin-script languages, lower case. A word in two
/// lists counts for neither.
const WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "hi", "hello", "hey", "thanks", "thank", "please", "want", "order", "deliver",
            "delivery", "the", "is", "do", "you", "my", "can", "how", "much", "what", "when",
            "where", "need", "good", "morning", "yes", "no",
        ],
    ),
    (
        "pt_BR",
        &[
            "olá", "ola", "oi", "obrigado", "obrigada", "quero", "você", "voce", "bom", "dia",
            "entrega", "não", "nao", "sim", "quanto", "custa", "meu", "minha", "tudo", "bem",
        ],
    ),
    (
        "es",
        &[
            "hola", "gracias", "quiero", "buenos", "buenas", "días", "dias", "envío", "envio",
            "cuánto", "cuanto", "cuesta", "sí", "mi", "usted", "necesito", "está", "esta",
        ],
    ),
    (
        "id",
        &[
            "halo", "terima", "kasih", "saya", "mau", "pesan", "berapa", "harga", "apa", "ada",
            "kirim", "selamat", "pagi",
        ],
    ),
];

/// The language `text` is written in, when it can tell.
pub fn detect(text: &str) -> Option<&'static str> {
    if let Some(by_script) = by_script(text) {
        return Some(by_script);
    }
    by_words(text)
}

fn by_script(text: &str) -> Option<&'static str> {
    let mut counts = [0usize; SCRIPTS.len()];
    let mut latin = 0usize;
    for c in text.chars() {
        let code = u32::from(c);
        if let Some(i) = SCRIPTS
            .iter()
            .position(|(from, to, _)| (*from..=*to).contains(&code))
        {
            counts[i] += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    let (best, &count) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    // A few native letters in a mostly English message do not decide.
    if count == 0 || count < latin {
        return None;
    }
    let language = SCRIPTS[best].2;
    if language == "ar" && text.chars().any(|c| URDU_LETTERS.contains(&c)) {
        return Some("ur");
    }
    Some(language)
}

fn by_words(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let score = |list: &[&str]| {
        words
            .iter()
            .filter(|w| list.contains(w))
            .filter(|w| WORDS.iter().filter(|(_, l)| l.contains(w)).count() == 1)
            .count()
    };
    let mut scores: Vec<(&'static str, usize)> = WORDS
        .iter()
        .map(|(lang, list)| (*lang, score(list)))
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    match scores.as_slice() {
        [(lang, best), (_, second), ..] if *best > 0 && best > second => Some(lang),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indian_scripts_name_their_language() {
        assert_eq!(detect("नमस्ते, मुझे 5 गिफ्ट बॉक्स चाहिए"), Some("hi"));
        assert_eq!(detect("வணக்கம், டெலிவரி உண்டா?"), Some("ta"));
        assert_eq!(detect("নমস্কার"), Some("bn"));
        assert_eq!(detect("నమస్తే"), Some("te"));
        assert_eq!(detect("ನಮಸ್ಕಾರ"), Some("kn"));
        assert_eq!(detect("നമസ്കാരം"), Some("ml"));
        assert_eq!(detect("નમસ્તે"), Some("gu"));
        assert_eq!(detect("ਸਤ ਸ੍ਰੀ ਅਕਾਲ"), Some("pa"));
    }

    #[test]
    fn arabic_script_tells_urdu_by_its_own_letters() {
        assert_eq!(detect("مرحبا، أريد طلب"), Some("ar"));
        assert_eq!(detect("مجھے آرڈر چاہیے"), Some("ur"));
    }

    #[test]
    fn latin_script_goes_by_everyday_words() {
        assert_eq!(detect("Hi, do you deliver to Pune?"), Some("en"));
        assert_eq!(detect("Olá, quero fazer um pedido"), Some("pt_BR"));
        assert_eq!(detect("Hola, quiero dos cajas, gracias"), Some("es"));
        assert_eq!(detect("Halo, saya mau pesan"), Some("id"));
    }

    #[test]
    fn what_it_cannot_tell_is_none() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("12 MG Road 560001"), None);
        assert_eq!(detect("👍"), None);
        // "pedido" is Portuguese and Spanish alike: no vote either way.
        assert_eq!(detect("pedido"), None);
    }

    #[test]
    fn a_native_word_in_an_english_message_does_not_decide() {
        assert_eq!(
            detect("Please send the order, dhanyavaad धन्यवाद"),
            Some("en")
        );
        assert_eq!(detect("धन्यवाद ok"), Some("hi"));
    }
}
