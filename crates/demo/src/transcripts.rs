//! Interview transcripts, typed as a transcription service types them and
//! coded as a researcher codes them, one for every interviewee.
//!
//! What a person talks about follows their data sheet (their top three,
//! whether each condition was in place for them, their outcome answers)
//! plus the qualitative effects planted for the framework matrix and the
//! joint display (the generated README lists them, with their sizes). The
//! text plants what the redactor must remove: the interviewee's name in
//! the header, the greeting and the speaker label, other people's names,
//! the site's real name, places, phone numbers and emails, some names in
//! NFD or without their diacritics, and selections whose edge falls inside
//! a name.

use std::fmt::Write;
use std::ops::Range;

use model::Sector;

use crate::Context;
use crate::interviews::{self, PEER_WORKER, PLANTS, Person, PlantWriter, SERVICE_USER};
use crate::rng::Rng;
use crate::sites::Site;
use crate::text;

const PROFESSIONAL: usize = 1;

/// A code of the coding frame, whichever tool's codebook holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum CodeKey {
    /// A framework factor, by index.
    Factor(usize),
    /// Under supervision: supervision that is cancelled or missing.
    SupervisionMissing,
    /// An outcome of the framework, by index.
    Outcome(usize),
    /// Culturally specific experiences, by aspect ([`BME_ASPECTS`]).
    Bme(usize),
    /// Stories told along the way: a code `codes.csv` gives no theme.
    Anecdote,
    /// Emerging: worries about funding (`codes.csv`: `ignore`).
    Funding,
}

/// The aspects of culturally specific experience the coders distinguish.
pub(crate) const BME_ASPECTS: [&str; 3] = [
    "Language and interpreting",
    "Faith, family and community",
    "Being understood",
];

/// Which tool a transcript is coded in: it decides the line endings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    /// NVivo: CRLF line endings (and a byte order mark, added on export).
    NVivo,
    /// ATLAS.ti: LF line endings.
    Atlas,
}

impl Tool {
    fn eol(self) -> &'static str {
        match self {
            Tool::NVivo => "\r\n",
            Tool::Atlas => "\n",
        }
    }
}

/// How the transcriber typed the interviewee's name (and their colleagues').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameForm {
    AsRegistered,
    /// Unicode normalisation form D: `Zoë` as `Zoe` + U+0308.
    Nfd,
    /// Without diacritics: `Zoe`.
    Stripped,
}

impl NameForm {
    fn of(site: &Site, p: usize, name: &str) -> NameForm {
        if !text::has_diacritics(name) {
            return NameForm::AsRegistered;
        }
        match (site.index + p) % 4 {
            // `ø` and `ł` have no decomposition: such a name has no NFD form.
            0 if text::nfd(name) != name => NameForm::Nfd,
            1 => NameForm::Stripped,
            _ => NameForm::AsRegistered,
        }
    }
    fn write(self, name: &str) -> String {
        match self {
            NameForm::AsRegistered => name.to_string(),
            NameForm::Nfd => text::nfd(name),
            NameForm::Stripped => text::without_diacritics(name),
        }
    }
}

/// A selection edge a coder dragged into the middle of a colleague's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    Start,
    End,
}

/// A coded stretch of a transcript: byte offsets and the codes applied
/// (a code may be listed twice: a coder applied it twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coded {
    pub bytes: Range<usize>,
    pub codes: Vec<CodeKey>,
}

/// One interviewee's transcript.
#[derive(Debug, Clone)]
pub(crate) struct Transcript {
    pub record_id: String,
    /// Site index.
    pub site: usize,
    pub group: usize,
    /// Who interviewed (and coded): their name is the coder's in the project.
    pub interviewer: &'static str,
    pub date: (u32, u32, u32),
    /// The text as stored, without a byte order mark, with the tool's line endings.
    pub text: String,
    /// In the order written; selections may overlap.
    pub coded: Vec<Coded>,
    pub name_form: NameForm,
    pub cut: Option<Cut>,
    /// Whether they told of culturally specific experiences.
    pub bme: bool,
    /// Speaker turns written, and how many of them are the interviewer's
    /// (the tests check the label finder finds them all).
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    pub turns: usize,
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    pub interviewer_turns: usize,
}

/// The site whose talk about supervision diverges from its ratings: every
/// tenth site from the fifth (Site E in the demo).
pub(crate) fn diverging_supervision(site: &Site) -> bool {
    site.index % 10 == 4
}

/// What one person talks about, in the order of the interview.
enum Talk {
    Account(usize),
    /// Welfare advice, as a voluntary site's peer worker tells it (two segments).
    WelfarePeerWorker,
    /// Welfare advice, as a voluntary site's service user or professional tells it.
    WelfareOther,
    /// Supervision at the diverging site: cancelled or missing.
    SupervisionMissing,
}

struct Plan {
    factors: Vec<Talk>,
    outcomes: Vec<usize>,
    bme: Option<usize>,
    anecdote: bool,
    funding: bool,
}

/// At a site that is not BME-focused, at most this many interviewees tell
/// of culturally specific experiences (fewer than `min_cell`: the effect
/// is the BME-focused sites', never one person's).
const BME_ELSEWHERE: usize = 2;

/// `bme_so_far`: interviewees of the site before this one who told of
/// culturally specific experiences.
fn plan(ctx: &Context, site: &Site, person: &Person, bme_so_far: usize, rng: &mut Rng) -> Plan {
    let group = person.group;
    let mut talk = vec![false; ctx.factors.len()];
    // People talk about what they named in their top three...
    for &f in person.top.iter().flatten() {
        talk[f] = true;
    }
    // ...and, planted: peer workers and service users all talk about
    // accredited training (as they rate it: the joint display converges).
    if matches!(group, PEER_WORKER | SERVICE_USER) {
        talk[ctx.pw_training] = true;
    }
    // Planted: benefits advice is rated low and named in nobody's top
    // three, yet peer workers at voluntary sites all talk about it.
    let voluntary = site.sector == Sector::Voluntary;
    let welfare = voluntary
        && match group {
            PEER_WORKER => true,
            SERVICE_USER => rng.chance(750),
            PROFESSIONAL => rng.chance(250),
            _ => false,
        };
    talk[ctx.welfare_advice] |= welfare;
    let missing = diverging_supervision(site);
    talk[ctx.supervision] |= missing;
    // Two to four more, by salience; never risk sharing (planted: rated very
    // important, spoken of only by those who named it in their top three),
    // benefits advice, or (for managers) accredited training.
    for _ in 0..2 + rng.index(3) {
        let weights: Vec<u32> = ctx
            .salience
            .iter()
            .enumerate()
            .map(|(f, &w)| {
                let excluded = talk[f]
                    || f == ctx.risk_share
                    || f == ctx.welfare_advice
                    || (f == ctx.pw_training && group > SERVICE_USER);
                if excluded { 0 } else { w }
            })
            .collect();
        if weights.iter().all(|&w| w == 0) {
            break;
        }
        talk[rng.weighted(&weights)] = true;
    }
    let factors = talk
        .iter()
        .enumerate()
        .filter(|(_, t)| **t)
        .map(|(f, _)| {
            if f == ctx.welfare_advice && welfare {
                if group == PEER_WORKER {
                    Talk::WelfarePeerWorker
                } else {
                    Talk::WelfareOther
                }
            } else if f == ctx.supervision && missing {
                Talk::SupervisionMissing
            } else {
                Talk::Account(f)
            }
        })
        .collect();

    let benefit = ctx
        .outcomes
        .iter()
        .position(|o| o == "out_benefit")
        .unwrap_or(0);
    let outcomes = (0..ctx.outcomes.len())
        .filter(|&o| o == benefit || rng.chance(450))
        .collect();
    // Planted: culturally specific experiences, concentrated at the
    // BME-focused sites.
    let minority = (2..=5).contains(&person.ethnicity);
    let bme_talk = if site.bme {
        minority || rng.chance(500)
    } else {
        minority && rng.chance(300) && bme_so_far < BME_ELSEWHERE
    };
    let bme = bme_talk.then(|| rng.index(BME_ASPECTS.len()));
    Plan {
        factors,
        outcomes,
        bme,
        anecdote: rng.chance(300),
        funding: rng.chance(voluntary as u64 * 150 + 150),
    }
}

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const ROLE_TITLES: [&str; 5] = [
    "peer support worker",
    "team member",
    "service user",
    "team manager",
    "senior manager",
];

/// How each group describes their role (`{team}`, `{ward}`, `{place}`,
/// `{organisation}` filled in).
const ROLE_OPENINGS: [[&str; 2]; 5] = [
    [
        "I'm a peer support worker with the {team}, three days a week.",
        "I've been a peer worker here for about two years. Before that I used the service myself.",
    ],
    [
        "I'm a community nurse in the {team}.",
        "I'm one of the social workers in the {team}, and I work alongside the peer workers most days.",
    ],
    [
        "I've used the service for about two years, and I see a peer worker most weeks.",
        "I was referred after a stay on {ward}, and a peer worker has been with me since.",
    ],
    [
        "I manage the {team}, so the peer workers report to me.",
        "I coordinate the project day to day, rotas, referrals, all of that.",
    ],
    [
        "I commission adult mental health services across {place}.",
        "I'm on the senior management team at {organisation}.",
    ],
];

/// Who else each group names in the opening (every colleague is named at a
/// site of three or more interviewees).
const WORKS_WITH: [&str; 5] = [
    "{colleague} is my supervisor.",
    "I work most days with {colleague}.",
    "{colleague} runs the group I go to.",
    "{colleague} is my deputy.",
    "{colleague} reports to me on the project.",
];

/// Said in passing: characters outside the Basic Multilingual Plane.
const ASIDES: [&str; 3] = [
    " It's been quite a journey 🙂.",
    " Some days are better than others 😅.",
    " I love it, most days 👍.",
];

const QUESTIONS: [&str; 4] = [
    "Can we talk about {topic}? How has that been at {at}?",
    "What about {topic}?",
    "Some people we've spoken to mention {topic}. Has that mattered here?",
    "I'd like to ask about {topic}.",
];

const FILLERS: [&str; 6] = ["", "Yeah. ", "Well, ", "I mean, ", "Honestly, ", "Hmm. "];

const GOOD_ASIDES: [&str; 4] = [
    "It took a while to get there, but it works now.",
    "I'd say that's true for most of the team.",
    "That made a real difference to the service users too 👍.",
    "It isn't perfect, but it's better than anywhere I've worked before.",
];

const BAD_ASIDES: [&str; 4] = [
    "It's been like that since the start, honestly 🙄.",
    "We've raised it more than once and nothing changes.",
    "You can see how that wears people down.",
    "I don't think the managers realise how much it matters.",
];

/// Supervision at the diverging site: the answer and the reply to the
/// probe, by group (peer worker, professional, service user, managers).
const SUPERVISION_MISSING: [[&str; 2]; 4] = [
    [
        "On paper it's every fortnight. In practice it gets cancelled whenever the ward is short, which is most weeks.",
        "Nowhere really. I take it home, and that's not how it should be.",
    ],
    [
        "Supervision is the first thing to go when things get busy, and things are always busy. The peer workers get it worst.",
        "They talk to each other in the car between visits. That's their supervision now.",
    ],
    [
        "My peer worker told me she hadn't had supervision for months. You could see it on her.",
        "She just carried it, I think. I worried about her sometimes.",
    ],
    [
        "I know supervision slips. It's in the policy and we do try, but the rota comes first.",
        "To the duty senior, if they have a minute. It's not good enough and I know that.",
    ],
];

const SUPERVISION_PROBE: &str = "And when supervision is cancelled, where do people take things?";
const SUPERVISION_CLOSING: &str =
    " If I could change one thing it would be protected time for supervision, properly protected.";

const WELFARE_PEER_WORKER: [[&str; 2]; 3] = [
    [
        "The benefits question never goes away. I'm on sixteen hours because any more and I lose my housing benefit, and nobody here could tell me where the line was.",
        "It would change everything. People would take more hours if they knew they wouldn't lose their flat.",
    ],
    [
        "I went to the Citizens Advice on my own. It shouldn't be down to us to find out whether taking the job leaves us worse off.",
        "Yes. Half the worry in this job is the money, not the work.",
    ],
    [
        "Every peer worker I know has done the sums on the back of an envelope. One extra shift and you're worse off.",
        "Of course. I nearly turned the job down because of it.",
    ],
];
const WELFARE_QUESTION: &str = "Did anyone advise you about benefits before you took the job?";
const WELFARE_PROBE: &str = "Would it have made a difference if that advice had been there?";

const WELFARE_SERVICE_USER: [&str; 2] = [
    "My peer worker helped me sort out my benefits forms. She knew the system from the inside, the forms, the assessments, all of it.",
    "The benefits stuff was the hardest part and my peer worker had been through it herself, so she knew what to say.",
];
const WELFARE_PROFESSIONAL: [&str; 2] = [
    "The peer workers worry about their benefits all the time and we can't advise them, we're not trained for it.",
    "Benefits come up with every peer worker we've taken on. It's the thing that keeps them awake.",
];

const OUTCOME_QUESTIONS: [(&str, &str); 3] = [
    (
        "out_distinct",
        "Do you think the peer worker role is different from the other roles in the team?",
    ),
    (
        "out_practice",
        "Do the peer workers work in a way that draws on their own experience?",
    ),
    (
        "out_benefit",
        "What difference do the peer workers make, for service users and for the service?",
    ),
];

/// Answers by the person's outcome answer: yes, partly, no, don't know.
fn outcome_answer(code: &str, value: i64) -> &'static str {
    let k = match value {
        1 => 0,
        2 => 1,
        3 => 2,
        _ => 3,
    };
    match code {
        "out_distinct" => [
            "Yes, completely. Nobody else in the team does what they do.",
            "Partly. Some days they're doing the same as a support worker.",
            "Not really, if I'm honest. They've become another pair of hands.",
            "I don't know, it's hard to say from where I sit.",
        ][k],
        "out_practice" => [
            "They do. Their own story is in everything they do, but used carefully.",
            "Sometimes. It depends who's on shift and how busy it is.",
            "Not much. The lived experience part got squeezed out.",
            "I couldn't really say.",
        ][k],
        _ => [
            "A big one. People who wouldn't talk to anyone else will talk to a peer worker.",
            "Some difference. It depends a lot on the peer worker.",
            "Less than we hoped. The role never really got going.",
            "It's too early to tell.",
        ][k],
    }
}

const ANECDOTES: [&str; 3] = [
    " There was one man who hadn't left his flat in a year, and the first time he came to the group was because a peer worker walked there with him 😊.",
    " I remember the first week, someone asked me which ward I'd been on, as if that was my qualification 😅.",
    " One of the lads made us all a cake 🎂 when he got his own flat.",
];

const FUNDING: &str =
    " The pilot money runs out in March and nobody will say what happens after that.";

/// Culturally specific experiences, by aspect.
const BME_TALK: [[&str; 2]; 3] = [
    [
        "Having a peer worker who speaks Punjabi with my mum made all the difference. She'd never have told a stranger in English.",
        "Half of what the mentors say to people is in Urdu or Gujarati or Twi, and that's never written down anywhere.",
    ],
    [
        "People in our community don't talk about mental health, so the mentors went to the mosque, the gurdwara and the community centre first.",
        "My family thought it was a spiritual problem before it was an illness. The mentor understood both, and didn't make us choose.",
    ],
    [
        "As a Black man in services I'd been sectioned twice. Seeing someone like me in the peer worker role mattered more than anything.",
        "For once I didn't have to explain where I come from before I could talk about how I felt.",
    ],
];
const BME_QUESTION: &str = "Has your background, your culture or your community made a difference to your experience here?";

const CLOSINGS: [&str; 3] = [
    "No, I think we've covered it.",
    "Only that I hope this helps.",
    "Just that I'm glad someone is asking.",
];

/// A transcript under construction.
struct Writer {
    text: String,
    eol: &'static str,
    coded: Vec<Coded>,
    turns: usize,
    interviewer_turns: usize,
}

impl Writer {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push_str(self.eol);
    }

    /// A speaker turn; `\n` in `body` starts a new paragraph (no label).
    /// Returns where the line starts and the body's byte range.
    fn turn(&mut self, label: &str, body: &str) -> (usize, Range<usize>) {
        self.turns += 1;
        if label == "Interviewer" {
            self.interviewer_turns += 1;
        }
        let line_start = self.text.len();
        self.text.push_str(label);
        self.text.push_str(": ");
        let start = self.text.len();
        for (i, paragraph) in body.split('\n').enumerate() {
            if i > 0 {
                self.text.push_str(self.eol);
            }
            self.text.push_str(paragraph);
        }
        let end = self.text.len();
        self.text.push_str(self.eol);
        (line_start, start..end)
    }

    fn code(&mut self, bytes: Range<usize>, codes: &[CodeKey]) {
        self.coded.push(Coded {
            bytes,
            codes: codes.to_vec(),
        });
    }
}

/// How each group tells a peer worker's own words (peer workers tell
/// their own).
const REPORTED: [Option<&str>; 5] = [
    None,
    Some("One of the peer workers put it like this, "),
    Some("My peer worker said it to me once, "),
    Some("As one of our peer workers put it, "),
    Some("As one of the peer workers put it to me, "),
];

/// True when an account speaks of the speaker's own experience (`I`, `my`, `me`).
fn first_person(account: &str) -> bool {
    account
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| matches!(word, "I" | "my" | "My" | "me"))
}

/// `label` with its first letter lower-cased, unless it starts an
/// abbreviation (`HR policies`).
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            let mut out: String = first.to_lowercase().collect();
            out.push_str(&label[first.len_utf8()..]);
            out
        }
        _ => label.to_string(),
    }
}

/// Appends `sentence` after `opener`, lower-casing its first word when the
/// opener leaves the sentence open (`Well, `), as [`crate::interviews`] does.
fn continue_with(out: &mut String, sentence: &str) {
    if out.is_empty() || out.ends_with(". ") {
        out.push_str(sentence);
        return;
    }
    let keep =
        sentence.starts_with("I ") || sentence.starts_with("I'") || sentence.starts_with("HR");
    let mut chars = sentence.chars();
    if let Some(first) = chars.next() {
        if keep {
            out.push(first);
        } else {
            out.extend(first.to_lowercase());
        }
        out.push_str(chars.as_str());
    }
}

fn fill(template: &str, site: &Site) -> String {
    template
        .replace("{team}", &site.team)
        .replace("{ward}", &site.ward)
        .replace("{place}", &site.place)
        .replace("{organisation}", &site.organisation)
}

/// Everything one transcript is written from.
struct Interview<'a> {
    ctx: &'a Context,
    site: &'a Site,
    names: &'a [String],
    p: usize,
    person: &'a Person,
    form: NameForm,
    /// The interviewee's label and how the interviewer addresses them.
    label: String,
    greeting: String,
    /// Answers written so far (the rotation of mentions and codings).
    answers: usize,
}

impl Interview<'_> {
    fn colleague(&self, k: usize) -> String {
        self.form.write(&self.site.colleagues[k % 3])
    }

    fn email(&self) -> String {
        let mut out = String::new();
        text::email(&mut out, &self.names[self.p], &self.site.email_domain);
        out
    }

    /// The identifier (or look-alike) planted in the current answer, as
    /// the data sheets plant them, names typed in the transcript's form.
    fn mention(&self, out: &mut String, rng: &mut Rng) {
        let rotation = self.p * 5 + self.answers * 2 + self.site.index * 3;
        let form = self.form;
        let writer = PlantWriter {
            site: self.site,
            names: self.names,
            p: self.p,
            name_as: &|name| form.write(name),
        };
        writer.write(out, PLANTS[rotation % PLANTS.len()], rng, &mut false);
    }

    fn question(&self, w: &mut Writer, rng: &mut Rng, topic: &str) {
        let at = if rng.chance(500) {
            &self.site.short
        } else {
            &self.site.place
        };
        let q = rng
            .pick_str(&QUESTIONS)
            .replace("{topic}", topic)
            .replace("{at}", at);
        w.turn("Interviewer", &q);
    }

    /// An answer about factor `f`, coded with it. The first account of a
    /// transcript may carry a planted cut through a colleague's name.
    fn account(&mut self, w: &mut Writer, rng: &mut Rng, f: usize, cut: Option<Cut>, tool: Tool) {
        let ctx = self.ctx;
        let positive = match self.person.pattern[f] {
            1 => true,
            3 => false,
            _ => rng.chance(500),
        };
        let (good, bad) = text::factor_account(&ctx.factors[f].code);
        let mut body = String::with_capacity(400);
        let colleague = self.colleague(self.p + 1);
        if cut == Some(Cut::Start) {
            let _ = write!(body, "{colleague} and I talked about this a lot. ");
        }
        body.push_str(rng.pick_str(&FILLERS));
        let said = if positive { good } else { bad };
        match REPORTED[self.person.group] {
            // A peer worker's own experience, as others tell it.
            Some(reported) if first_person(said) => {
                continue_with(&mut body, reported);
                let _ = write!(body, "\"{said}\"");
            }
            _ => continue_with(&mut body, said),
        }
        if rng.chance(600) {
            // Now and then the thought goes on in a new paragraph.
            body.push_str(if rng.chance(250) { "\n" } else { " " });
            body.push_str(rng.pick_str(if positive { &GOOD_ASIDES } else { &BAD_ASIDES }));
        }
        if cut == Some(Cut::End) {
            let _ = write!(body, " You'd have to ask {colleague}.");
        } else {
            self.mention(&mut body, rng);
        }
        let (line_start, mut bytes) = w.turn(&self.label, &body);
        // Where the coder's drag began or ended: three characters inside
        // the colleague's name.
        let chars_in = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
        match cut {
            Some(Cut::Start) => bytes.start += chars_in(&colleague, 3),
            Some(Cut::End) => {
                let name_end = bytes.end - 1;
                let name_start = name_end - colleague.len();
                bytes.end = name_start + chars_in(&colleague, colleague.chars().count() - 3);
            }
            None => {
                // NVivo coders often select the whole paragraph, label and all.
                if tool == Tool::NVivo && (self.p + self.answers).is_multiple_of(6) {
                    bytes.start = line_start;
                }
            }
        }
        let mut codes = vec![CodeKey::Factor(f)];
        // Now and then a coder applies the same code twice to one selection.
        if tool == Tool::NVivo && self.answers == 0 && (self.site.index + self.p) % 9 == 2 {
            codes.push(CodeKey::Factor(f));
        }
        w.code(bytes, &codes);
        self.answers += 1;
    }

    fn supervision_missing(&mut self, w: &mut Writer, rng: &mut Rng) {
        let row = match self.person.group {
            PEER_WORKER => 0,
            PROFESSIONAL => 1,
            SERVICE_USER => 2,
            _ => 3,
        };
        let [answer, reply] = SUPERVISION_MISSING[row];
        self.question(w, rng, "supervision");
        let mut body = answer.to_string();
        self.mention(&mut body, rng);
        let (_, bytes) = w.turn(&self.label, &body);
        // The whole answer under supervision, its first sentence (the
        // cancellations) under its child code too: overlapping selections.
        let first_sentence = answer.find(". ").map_or(answer.len(), |i| i + 1);
        w.code(bytes.clone(), &[CodeKey::Factor(self.ctx.supervision)]);
        w.code(
            bytes.start..bytes.start + first_sentence,
            &[CodeKey::SupervisionMissing],
        );
        w.turn("Interviewer", SUPERVISION_PROBE);
        let (_, bytes) = w.turn(&self.label, reply);
        w.code(bytes, &[CodeKey::SupervisionMissing]);
        self.answers += 1;
    }

    fn welfare(&mut self, w: &mut Writer, rng: &mut Rng, peer_worker: bool) {
        let welfare = CodeKey::Factor(self.ctx.welfare_advice);
        if peer_worker {
            let [answer, reply] = WELFARE_PEER_WORKER[rng.index(WELFARE_PEER_WORKER.len())];
            w.turn("Interviewer", WELFARE_QUESTION);
            let mut body = answer.to_string();
            self.mention(&mut body, rng);
            let (_, bytes) = w.turn(&self.label, &body);
            w.code(bytes, &[welfare]);
            w.turn("Interviewer", WELFARE_PROBE);
            let (_, bytes) = w.turn(&self.label, reply);
            w.code(bytes, &[welfare]);
        } else {
            let (question, answers) = if self.person.group == SERVICE_USER {
                (
                    "Has your peer worker helped with anything practical, like benefits?",
                    &WELFARE_SERVICE_USER,
                )
            } else {
                (
                    "Do the peer workers get any advice about benefits?",
                    &WELFARE_PROFESSIONAL,
                )
            };
            w.turn("Interviewer", question);
            let mut body = rng.pick_str(answers).to_string();
            self.mention(&mut body, rng);
            let (_, bytes) = w.turn(&self.label, &body);
            w.code(bytes, &[welfare]);
        }
        self.answers += 1;
    }
}

/// Write the transcript of person `p` of `site`.
pub(crate) fn transcript(
    ctx: &Context,
    site: &Site,
    names: &[String],
    p: usize,
    person: &Person,
    bme_so_far: usize,
    tool: Tool,
) -> Transcript {
    let mut rng = Rng::new(ctx.seed, &[10, site.index as u64, p as u64]);
    let plan = plan(ctx, site, person, bme_so_far, &mut rng);
    let name = &names[p];
    let form = NameForm::of(site, p, name);
    let first = |full: &str| full.split(' ').next().unwrap_or(full).to_string();
    let label = if form == NameForm::Stripped {
        first(&text::without_diacritics(name))
    } else {
        // A label in NFD would not read as a label: transcribers type
        // labels once, as a template, in the composed form.
        first(name)
    };
    let mut interview = Interview {
        ctx,
        site,
        names,
        p,
        person,
        form,
        greeting: first(&form.write(name)),
        label,
        answers: 0,
    };
    let mut w = Writer {
        text: String::with_capacity(4096),
        eol: tool.eol(),
        coded: Vec::with_capacity(12),
        turns: 0,
        interviewer_turns: 0,
    };
    let interviewer = interviews::interviewer(site, p);
    let (year, month, day) = person.date;
    w.line(&format!(
        "Interview with {}, {}, {}. {day} {} {year}. Interviewer {interviewer}.",
        form.write(name),
        ROLE_TITLES[person.group],
        site.name,
        MONTHS[(month as usize).clamp(1, 12) - 1],
    ));
    w.line("[recording starts]");
    w.line("");
    w.turn(
        "Interviewer",
        &format!(
            "Thanks for seeing me, {}. Before we start, can you tell me a bit about your role?",
            interview.greeting
        ),
    );
    let mut opening = fill(rng.pick_str(&ROLE_OPENINGS[person.group]), site);
    opening.push(' ');
    opening.push_str(&WORKS_WITH[person.group].replace("{colleague}", &interview.colleague(p)));
    if rng.chance(500) {
        opening.push_str(rng.pick_str(&ASIDES));
    }
    w.turn(&interview.label, &opening);

    let cut = match (site.index * 7 + p) % 8 {
        3 => Some(Cut::Start),
        6 => Some(Cut::End),
        _ => None,
    };
    let mut cut_planted = None;
    for talk in &plan.factors {
        match *talk {
            Talk::Account(f) => {
                let this_cut = if cut_planted.is_none() { cut } else { None };
                interview.question(&mut w, &mut rng, &in_sentence(&ctx.factors[f].label));
                interview.account(&mut w, &mut rng, f, this_cut, tool);
                if this_cut.is_some() {
                    cut_planted = this_cut;
                }
            }
            Talk::WelfarePeerWorker => interview.welfare(&mut w, &mut rng, true),
            Talk::WelfareOther => interview.welfare(&mut w, &mut rng, false),
            Talk::SupervisionMissing => interview.supervision_missing(&mut w, &mut rng),
        }
    }

    for &o in &plan.outcomes {
        let code = ctx.outcomes[o].as_str();
        let question = OUTCOME_QUESTIONS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("What difference has the role made?", |(_, q)| *q);
        w.turn("Interviewer", question);
        let mut body = outcome_answer(code, person.outcome[o]).to_string();
        let story = (plan.anecdote && code == "out_benefit").then(|| {
            let story = rng.pick_str(&ANECDOTES);
            let at = body.len() + 1;
            body.push_str(story);
            at..body.len()
        });
        let (_, bytes) = w.turn(&interview.label, &body);
        match story {
            // One selection, two codings.
            Some(_) if rng.chance(333) => {
                w.code(bytes, &[CodeKey::Outcome(o), CodeKey::Anecdote]);
            }
            Some(story) => {
                w.code(bytes.clone(), &[CodeKey::Outcome(o)]);
                w.code(
                    bytes.start + story.start..bytes.start + story.end,
                    &[CodeKey::Anecdote],
                );
            }
            None => w.code(bytes, &[CodeKey::Outcome(o)]),
        }
    }

    if let Some(aspect) = plan.bme {
        w.turn("Interviewer", BME_QUESTION);
        let mut body = rng.pick_str(&BME_TALK[aspect]).to_string();
        interview.mention(&mut body, &mut rng);
        let (_, bytes) = w.turn(&interview.label, &body);
        w.code(bytes, &[CodeKey::Bme(aspect)]);
        interview.answers += 1;
    }

    w.turn("Interviewer", "Is there anything else you'd like to add?");
    let mut closing = rng.pick_str(&CLOSINGS).to_string();
    let mut closing_codes: Vec<(Range<usize>, CodeKey)> = Vec::new();
    let mut coded_sentence = |closing: &mut String, sentence: &str, key: CodeKey| {
        let at = closing.len() + 1;
        closing.push_str(sentence);
        closing_codes.push((at..closing.len(), key));
    };
    if plan.funding {
        coded_sentence(&mut closing, FUNDING, CodeKey::Funding);
    }
    if diverging_supervision(site) && rng.chance(500) {
        coded_sentence(
            &mut closing,
            SUPERVISION_CLOSING,
            CodeKey::SupervisionMissing,
        );
    }
    if p % 3 == 1 {
        closing.push_str(" If you need me again, my number is ");
        text::phone(&mut closing, &mut rng, p + site.index);
        let _ = write!(closing, " and my email is {}.", interview.email());
    }
    let (_, bytes) = w.turn(&interview.label, &closing);
    for (range, key) in closing_codes {
        w.code(bytes.start + range.start..bytes.start + range.end, &[key]);
    }
    w.turn(
        "Interviewer",
        &format!(
            "Thank you, {}. I'll stop the recording there.",
            interview.greeting
        ),
    );
    w.line("[recording ends]");

    let mut record = Vec::new();
    interviews::record_id(&mut record, site, p, ctx.record_width);
    Transcript {
        record_id: String::from_utf8_lossy(&record).into_owned(),
        site: site.index,
        group: person.group,
        interviewer,
        date: person.date,
        text: w.text,
        coded: w.coded,
        name_form: form,
        cut: cut_planted,
        bme: plan.bme.is_some(),
        turns: w.turns,
        interviewer_turns: w.interviewer_turns,
    }
}

/// Every transcript of a site, in record order.
pub(crate) fn site_transcripts(ctx: &Context, site: &Site, tool: Tool) -> Vec<Transcript> {
    let names = interviews::participant_names(ctx, site);
    let mut bme_so_far = 0;
    interviews::people(ctx, site)
        .iter()
        .enumerate()
        .map(|(p, person)| {
            let t = transcript(ctx, site, &names, p, person, bme_so_far, tool);
            bme_so_far += t.bme as usize;
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_sentences() {
        assert_eq!(
            in_sentence("Supervision and team support"),
            "supervision and team support"
        );
        assert_eq!(
            in_sentence("HR policies valuing lived experience"),
            "HR policies valuing lived experience"
        );
    }

    #[test]
    fn first_person_accounts_are_found() {
        assert!(first_person(
            "When I became unwell last winter there was a plan."
        ));
        assert!(first_person("My history went round the office."));
        assert!(first_person("The group keeps me going."));
        assert!(!first_person(
            "The team was stretched, and it felt like one more demand."
        ));
        assert!(!first_person("Immediately, mystery."));
    }

    #[test]
    fn openers_lower_case_the_account_that_follows() {
        let mut out = String::from("Well, ");
        continue_with(&mut out, "The team was stretched.");
        assert_eq!(out, "Well, the team was stretched.");
        let mut out = String::from("Yeah. ");
        continue_with(&mut out, "The team was stretched.");
        assert_eq!(out, "Yeah. The team was stretched.");
        let mut out = String::from("Honestly, ");
        continue_with(&mut out, "I was the only peer worker.");
        assert_eq!(out, "Honestly, I was the only peer worker.");
    }
}
