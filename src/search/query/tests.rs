//! The table: queries and what they must parse to, against the real embedded catalog and areas,
//! on Tuesday 2026-11-24 at 10:00. Every row is a full parse: a field the row does not set must
//! come out empty, `text` included.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::areas::Areas;
use crate::catalog::data::embedded_snapshot;
use AgeGroup::{Adults, Kids, Teens, Toddler};
use FormatWanted::{InPerson, Online, Studio, Travel};
use PriceTier::{Budget, Premium};
use Skill::{Advanced, Beginner, Intermediate};

static VOCAB: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::new(&embedded_snapshot().unwrap(), &Areas::load(None).unwrap()));

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn time(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn ctx() -> Context {
    Context {
        today: date("2026-11-24"),
        now: time("10:00"),
        near: None,
    }
}

fn run(text: &str) -> Parsed {
    parse(text, &VOCAB, &ctx())
}

struct Row {
    query: &'static str,
    want: Parsed,
}

fn q(query: &'static str) -> Row {
    Row {
        query,
        want: Parsed::default(),
    }
}

impl Row {
    fn s(mut self, slugs: &str) -> Self {
        self.want.services = slugs.split_whitespace().map(String::from).collect();
        self
    }
    fn cat(mut self, slug: &str) -> Self {
        self.want.category = Some(slug.into());
        self
    }
    fn max(mut self, dollars: i64) -> Self {
        self.want.max_price_cents = Some(dollars * 100);
        self
    }
    fn cents(mut self, cents: i64) -> Self {
        self.want.max_price_cents = Some(cents);
        self
    }
    fn tier(mut self, tier: PriceTier) -> Self {
        self.want.price_tier = Some(tier);
        self
    }
    fn group(mut self, group: AgeGroup) -> Self {
        self.want.age_group = Some(group);
        self
    }
    fn age(mut self, age: u8) -> Self {
        self.want.age = Some(age);
        self.want.age_group = Some(audience::group_of(age.into()));
        self
    }
    fn skill(mut self, skill: Skill) -> Self {
        self.want.skill = Some(skill);
        self
    }
    fn fmt(mut self, format: FormatWanted) -> Self {
        self.want.format = Some(format);
        self
    }
    fn area(mut self, slug: &str) -> Self {
        self.want.area = Some(slug.into());
        self
    }
    fn near(mut self) -> Self {
        self.want.near_me = true;
        self
    }
    fn on(self, day: &str) -> Self {
        self.days(day, day)
    }
    fn days(mut self, from: &str, to: &str) -> Self {
        self.want.date_from = Some(date(from));
        self.want.date_to = Some(date(to));
        self
    }
    fn from(mut self, t: &str) -> Self {
        self.want.time_from = Some(time(t));
        self
    }
    fn to(mut self, t: &str) -> Self {
        self.want.time_to = Some(time(t));
        self
    }
    fn hours(self, from: &str, to: &str) -> Self {
        self.from(from).to(to)
    }
    fn text(mut self, words: &str) -> Self {
        self.want.text = words.split_whitespace().map(String::from).collect();
        self
    }
}

const MATH: &str = "pre-algebra algebra geometry trigonometry precalculus calculus statistics";

#[rustfmt::skip]
fn table() -> Vec<Row> {
    vec![
        // SPEC section 11, one phrase at a time
        q("piano").s("piano"),
        q("paino").s("piano"),
        q("sat prep").s("sat"),
        q("spanish").s("spanish"),
        q("music lessons").cat("music"),
        q("piano or guitar").s("piano guitar"),
        q("under $80").max(80),
        q("less than 60").max(60),
        q("max $50").max(50),
        q("$70/hr").max(70),
        q("cheap").tier(Budget),
        q("budget").tier(Budget),
        q("premium").tier(Premium),
        q("for kids").group(Kids),
        q("my 8 year old").age(8),
        q("toddler").group(Toddler),
        q("teen").group(Teens),
        q("adult").group(Adults),
        q("lessons for kids under 10").group(Kids),
        q("beginner").skill(Beginner),
        q("intermediate").skill(Intermediate),
        q("advanced").skill(Advanced),
        q("online").fmt(Online),
        q("in person").fmt(InPerson),
        q("at home").fmt(Travel),
        q("in brooklyn").area("brooklyn"),
        q("near park slope").area("park-slope"),
        q("ues").area("upper-east-side"),
        q("near me").near(),
        q("today").on("2026-11-24"),
        q("tomorrow").on("2026-11-25"),
        q("saturday").on("2026-11-28"),
        q("this weekend").days("2026-11-28", "2026-11-29"),
        q("next weekend").days("2026-12-05", "2026-12-06"),
        q("12/25").on("2026-12-25"),
        q("in 3 days").on("2026-11-27"),
        q("morning").hours("06:00", "12:00"),
        q("afternoon").hours("12:00", "17:00"),
        q("evening").hours("17:00", "21:00"),
        q("after 5").from("17:00"),
        q("before 3pm").to("15:00"),
        q("at 6am").hours("06:00", "07:00"),
        // the brief's examples
        q("piano lessons for my 8 year old in brooklyn under $80 tomorrow morning").s("piano").age(8).area("brooklyn").max(80).on("2026-11-25").hours("06:00", "12:00"),
        q("sat prep in queens").s("sat").area("queens"),
        q("online spanish under 70").s("spanish").fmt(Online).max(70),
        q("guitar after 5 on saturday").s("guitar").on("2026-11-28").from("17:00"),
        q("piano or guitar near park slope").s("piano guitar").area("park-slope"),
        q("cheap violin in lic").s("violin").tier(Budget).area("long-island-city"),
        q("swimming for toddlers this weekend").s("swimming").group(Toddler).days("2026-11-28", "2026-11-29"),
        q("guittar").s("guitar"),
        q("piano for my 8 year old in Brooklyn under $70 saturday morning").s("piano").age(8).area("brooklyn").max(70).on("2026-11-28").hours("06:00", "12:00"),
        q("violn").s("violin"),
        // services: names, slugs, terms, suffixes, plurals
        q("guitar lessons").s("guitar"),
        q("piano teacher").s("piano"),
        q("spanish tutor").s("spanish"),
        q("drum lessons").s("drums"),
        q("drums").s("drums"),
        q("drum").s("drums"),
        q("pianos").s("piano"),
        q("violin classes").s("violin"),
        q("swim lessons").s("swimming"),
        q("hip hop").s("hip-hop"),
        q("hip-hop dance").s("hip-hop"),
        q("kpop").s("kpop-dance"),
        q("k-pop").s("kpop-dance"),
        q("ping pong").s("table-tennis"),
        q("bass guitar").s("bass-guitar"),
        q("double bass").s("double-bass"),
        q("electric guitar").s("electric-guitar"),
        q("jazz piano").s("piano"),
        q("ballet for toddlers").s("ballet").group(Toddler),
        q("chess coach for my son").s("chess").group(Kids),
        q("algebra 2").s("algebra"),
        q("calc").s("calculus"),
        q("sax").s("saxophone"),
        q("uke").s("ukulele"),
        q("singing lessons").s("voice"),
        q("voice lessons").s("voice"),
        q("coding for kids").s("python javascript scratch web-development game-development").group(Kids),
        q("python").s("python"),
        q("scratch coding for my 7 year old").s("scratch").age(7),
        q("esl").s("esl"),
        q("english tutor").s("esl"),
        q("chinese").s("mandarin"),
        q("french or italian").s("french italian"),
        q("spanish, french and german").s("spanish french german"),
        q("guitar, piano and drums").s("guitar piano drums"),
        q("swimming or tennis").s("swimming tennis"),
        q("music theory").s("music-theory"),
        q("piano music").s("piano"),
        q("pottery").s("pottery"),
        q("self defense").s("krav-maga"),
        q("bjj").s("brazilian-jiu-jitsu"),
        q("jiu jitsu").s("brazilian-jiu-jitsu"),
        q("latin").s("latin"),
        q("sat tutor").s("sat"),
        q("fl studio").s("music-production"),
        q("roblox").s("game-development"),
        q("learn to swim").s("swimming"),
        q("learn spanish").s("spanish"),
        q("how to play guitar").s("guitar"),
        q("i want piano lessons").s("piano"),
        q("PIANO LESSONS").s("piano"),
        q("Piano In Brooklyn").s("piano").area("brooklyn"),
        q("español").s("spanish"),
        // subcategories and categories
        q("math tutor").s(MATH),
        q("maths").s(MATH),
        q("martial arts").s("karate taekwondo brazilian-jiu-jitsu judo kung-fu krav-maga"),
        q("latin dance").s("salsa bachata argentine-tango"),
        q("art class").cat("arts"),
        q("dance classes for kids").cat("dance").group(Kids),
        q("sports").cat("sports-fitness"),
        q("tutoring").cat("tutoring"),
        q("tutor").cat("tutoring"),
        q("languages").cat("languages"),
        q("test prep").cat("tutoring"),
        q("toddler music classes in park slope").cat("music").group(Toddler).area("park-slope"),
        // typos
        q("paino lessons").s("piano"),
        q("pinao").s("piano"),
        q("pian").s("piano"),
        q("gitar").s("guitar"),
        q("spansh").s("spanish"),
        q("swiming").s("swimming"),
        q("tenis").s("tennis"),
        q("chees").s("chess"),
        q("voilin").s("violin"),
        q("brookyln").area("brooklyn"),
        q("piano in willamsburg").s("piano").area("williamsburg"),
        q("beginer guitar").s("guitar").skill(Beginner),
        q("tomorow").on("2026-11-25"),
        q("satruday").on("2026-11-28"),
        q("driving lessons").text("driving"),
        q("cool cook").s("cooking").text("cool"),
        // "sat": the test or Saturday
        q("sat").s("sat"),
        q("SAT").s("sat"),
        q("SAT on saturday").s("sat").on("2026-11-28"),
        q("sat prep saturday").s("sat").on("2026-11-28"),
        q("sat or act prep").s("sat act"),
        q("sat tutoring").s("sat"),
        q("guitar sat").s("guitar").on("2026-11-28"),
        q("piano on sat").s("piano").on("2026-11-28"),
        q("sat morning").on("2026-11-28").hours("06:00", "12:00"),
        q("fri or sat").days("2026-11-27", "2026-11-28"),
        q("act prep").s("act"),
        // prices
        q("under 80").max(80),
        q("below 90").max(90),
        q("up to 100 dollars").max(100),
        q("80 or less").max(80),
        q("$70 an hour").max(70),
        q("$49.99/hr").cents(4999),
        q("between $50 and $80").max(80),
        q("$50-$80").max(80),
        q("50-80 dollars").max(80),
        q("max 50").max(50),
        q("no more than $60 per hour").max(60),
        q("around $70").max(70),
        q("under 10").max(10),
        q("piano under 10").s("piano").max(10),
        q("piano $80").s("piano").max(80),
        q("piano 80 dollars").s("piano").max(80),
        q("kids lessons under $50").group(Kids).max(50),
        q("for kids under 15 dollars").group(Kids).max(15),
        q("guitar under 30 minutes").s("guitar").text("30"),
        q("affordable").tier(Budget),
        q("inexpensive guitar").s("guitar").tier(Budget),
        q("high end piano teacher").s("piano").tier(Premium),
        q("top rated piano").s("piano"),
        q("best guitar teacher in manhattan").s("guitar").area("manhattan"),
        // audience
        q("8yo").age(8),
        q("8 yr old").age(8),
        q("8 y/o").age(8),
        q("age 8").age(8),
        q("aged 8").age(8),
        q("my 15 year old son").age(15),
        q("my son").group(Kids),
        q("for my daughter").group(Kids),
        q("my son is 8").age(8),
        q("teenager").group(Teens),
        q("for my high schooler").group(Teens),
        q("preschooler").group(Toddler),
        q("kids under 5").group(Toddler),
        q("under 5s swimming").s("swimming").group(Toddler),
        q("under 10 year olds").group(Kids),
        q("for children").group(Kids),
        q("adults").group(Adults),
        q("grown ups").group(Adults),
        q("ages 5-7").group(Kids),
        q("kids 5-7").group(Kids),
        q("18 month old").group(Toddler),
        q("for my 3 year old").age(3),
        q("math for 5th grader").s(MATH).group(Kids),
        q("grade 9 biology").s("biology").group(Teens),
        q("kindergartener").group(Kids),
        q("swimming for adults").s("swimming").group(Adults),
        q("piano for kids under 10").s("piano").group(Kids),
        // skill
        q("beginner guitar").s("guitar").skill(Beginner),
        q("never played piano").s("piano").skill(Beginner),
        q("starting out").skill(Beginner),
        q("first time").skill(Beginner),
        q("advanced violin").s("violin").skill(Advanced),
        q("expert").skill(Advanced),
        q("pro").skill(Advanced),
        q("sat prep for beginners").s("sat").skill(Beginner),
        q("intermediate spanish").s("spanish").skill(Intermediate),
        // format
        q("virtual").fmt(Online),
        q("zoom").fmt(Online),
        q("remote chess").s("chess").fmt(Online),
        q("in-person").fmt(InPerson),
        q("face to face").fmt(InPerson),
        q("at my home").fmt(Travel),
        q("comes to me").fmt(Travel),
        q("home lessons").fmt(Travel),
        q("at the studio").fmt(Studio),
        q("online or in person"),
        q("piano in person in brooklyn").s("piano").fmt(InPerson).area("brooklyn"),
        // location
        q("uws").area("upper-west-side"),
        q("bk").area("brooklyn"),
        q("lic").area("long-island-city"),
        q("williamsburg").area("williamsburg"),
        q("upper east side").area("upper-east-side"),
        q("park slope brooklyn").area("park-slope"),
        q("in brooklyn near park slope").area("park-slope"),
        q("nearby").near(),
        q("close by").near(),
        q("near me in queens").near().area("queens"),
        q("bed-stuy").area("bedford-stuyvesant"),
        q("hell's kitchen").area("hells-kitchen"),
        q("the bronx").area("bronx"),
        q("staten island").area("staten-island"),
        q("spanish harlem").area("east-harlem"),
        q("spanish in spanish harlem").s("spanish").area("east-harlem"),
        q("guitar in 3 days").s("guitar").on("2026-11-27"),
        // dates
        q("tonight").on("2026-11-24").hours("17:00", "21:00"),
        q("saturday or sunday").days("2026-11-28", "2026-11-29"),
        q("this saturday").on("2026-11-28"),
        q("next saturday").on("2026-12-05"),
        q("tuesday").on("2026-11-24"),
        q("next tuesday").on("2026-12-01"),
        q("mon").on("2026-11-30"),
        q("weekend").days("2026-11-28", "2026-11-29"),
        q("next week").days("2026-11-30", "2026-12-06"),
        q("this week").days("2026-11-24", "2026-11-29"),
        q("dec 25").on("2026-12-25"),
        q("december 25th").on("2026-12-25"),
        q("25th of december").on("2026-12-25"),
        q("1/5").on("2027-01-05"),
        q("11/20").on("2027-11-20"),
        q("12/25/2026").on("2026-12-25"),
        q("the 5th").on("2026-12-05"),
        q("in december").days("2026-12-01", "2026-12-31"),
        q("piano in may").s("piano").days("2027-05-01", "2027-05-31"),
        q("may"),
        q("in a week").on("2026-12-01"),
        q("within 3 days").days("2026-11-24", "2026-11-27"),
        q("day after tomorrow").on("2026-11-26"),
        q("next month").days("2026-12-01", "2026-12-31"),
        q("in 2 hours").on("2026-11-24").from("12:00"),
        q("weekdays").text("weekdays"),
        // times
        q("after 5pm").from("17:00"),
        q("before 3").to("15:00"),
        q("between 3 and 5").hours("15:00", "17:00"),
        q("3-5pm").hours("15:00", "17:00"),
        q("from 3 to 5").hours("15:00", "17:00"),
        q("7-9").hours("19:00", "21:00"),
        q("at 6").hours("18:00", "19:00"),
        q("at noon").hours("12:00", "13:00"),
        q("noon").hours("12:00", "13:00"),
        q("after 10am").from("10:00"),
        q("saturday morning after 10").on("2026-11-28").hours("10:00", "12:00"),
        q("evening after 7").hours("19:00", "21:00"),
        q("after school").from("15:00"),
        q("lunchtime").hours("11:00", "14:00"),
        q("5:30pm").hours("17:30", "18:30"),
        q("after 17:30").from("17:30"),
        q("morning at 9").hours("09:00", "10:00"),
        q("tomorrow at 4").on("2026-11-25").hours("16:00", "17:00"),
        q("5 p.m.").hours("17:00", "18:00"),
        q("piano at 5").s("piano").hours("17:00", "18:00"),
        // everything at once
        q("piano lessons near me this weekend").s("piano").near().days("2026-11-28", "2026-11-29"),
        q("spanish for my 5 year old daughter online").s("spanish").age(5).fmt(Online),
        q("cheap guitar lessons in bk after 6pm").s("guitar").tier(Budget).area("brooklyn").from("18:00"),
        q("advanced math tutor for my high schooler").s(MATH).skill(Advanced).group(Teens),
        q("ballet or tap for kids under 8 saturday morning").s("ballet tap").group(Kids).on("2026-11-28").hours("06:00", "12:00"),
        q("yoga at home tomorrow evening").s("yoga").fmt(Travel).on("2026-11-25").hours("17:00", "21:00"),
        q("chess near me under $60").s("chess").near().max(60),
        q("in person piano lessons in ues for adults beginners").s("piano").fmt(InPerson).area("upper-east-side").group(Adults).skill(Beginner),
        q("virtual spanish tutor for teens under $50/hr weekday evenings").s("spanish").fmt(Online).group(Teens).max(50).hours("17:00", "21:00").text("weekday"),
        q("math help for my 12 yo").s(MATH).age(12),
        q("drums in williamsburg on friday after 4").s("drums").area("williamsburg").on("2026-11-27").from("16:00"),
        q("patient piano teacher for adults").s("piano").group(Adults).text("patient"),
        q("experienced female guitar teacher").s("guitar").text("experienced female"),
        q("jazz").text("jazz"),
        // nothing to understand, or nothing at all
        q(""),
        q("   "),
        q("lessons"),
        q("🎹🎸"),
        q("piano 🎹").s("piano"),
        q("$$$"),
        q("$"),
        q("under"),
        q("99999999999999999999").text("99999999999999999999"),
    ]
}

/// The fields where `got` differs from `want`, as JSON.
fn diff(want: &Parsed, got: &Parsed) -> String {
    let (want, got) = (
        serde_json::to_value(want).unwrap(),
        serde_json::to_value(got).unwrap(),
    );
    let (Some(want), Some(got)) = (want.as_object(), got.as_object()) else {
        return String::new();
    };
    want.iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: want {v}, got {}", got[k]))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn every_row_of_the_table_parses_as_expected() {
    let rows = table();
    assert!(rows.len() >= 170, "only {} rows", rows.len());
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let got = run(row.query);
            (got != row.want).then(|| format!("{:?}: {}", row.query, diff(&row.want, &got)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn piano_never_resolves_to_drums() {
    for text in [
        "piano",
        "paino",
        "pianos",
        "pian",
        "piano lessons",
        "piano teacher",
        "Piano",
    ] {
        assert_eq!(run(text).services, ["piano"], "{text}");
    }
}

#[test]
fn sat_prep_is_the_test_and_never_a_date() {
    for text in [
        "sat prep",
        "SAT prep in queens",
        "sat prep tutor",
        "sat prep for my teen",
    ] {
        let parsed = run(text);
        assert_eq!(parsed.services, ["sat"], "{text}");
        assert_eq!((parsed.date_from, parsed.date_to), (None, None), "{text}");
    }
}

#[test]
fn hidden_services_are_not_in_the_vocabulary() {
    let mut catalog = embedded_snapshot().unwrap();
    for category in &mut catalog.categories {
        for sub in &mut category.subcategories {
            sub.services.retain(|s| s.slug != "piano");
        }
    }
    for service in catalog.services.values_mut() {
        service.hidden |= service.slug == "piano";
    }
    let vocab = Vocabulary::new(&catalog, &Areas::load(None).unwrap());
    let parsed = parse("piano lessons", &vocab, &ctx());
    assert!(
        !parsed.services.contains(&"piano".to_string()),
        "{parsed:?}"
    );
}

#[test]
fn the_parse_serialises_with_lowercase_names_and_hh_mm_times() {
    let parsed = run("cheap piano in person for teens tomorrow after 5 for beginners");
    let json = serde_json::to_value(&parsed).unwrap();
    assert_eq!(json["format"], "in_person");
    assert_eq!(json["price_tier"], "budget");
    assert_eq!(json["age_group"], "teens");
    assert_eq!(json["skill"], "beginner");
    assert_eq!(json["date_from"], "2026-11-25");
    assert_eq!(json["time_from"], "17:00");
    assert_eq!(json["time_to"], serde_json::Value::Null);
}

#[test]
fn a_pasted_essay_is_cut_short_and_still_understood_at_the_start() {
    let long = format!("piano in brooklyn {}", "la ".repeat(5000));
    let parsed = run(&long);
    assert_eq!(parsed.services, ["piano"]);
    assert_eq!(parsed.area.as_deref(), Some("brooklyn"));
}

/// Words the parser cares about, to throw at it in odd orders.
const PIECES: &[&str] = &[
    "piano",
    "sat",
    "prep",
    "under",
    "$",
    "80",
    "10",
    "kids",
    "year",
    "old",
    "after",
    "before",
    "between",
    "and",
    "or",
    "5",
    "pm",
    "am",
    ":",
    "/",
    "-",
    "12",
    "25",
    "in",
    "near",
    "me",
    "brooklyn",
    "next",
    "this",
    "weekend",
    "saturday",
    "tomorrow",
    "morning",
    "at",
    "the",
    "th",
    "dec",
    "age",
    "ages",
    "is",
    "my",
    "son",
    "online",
    "person",
    "3",
    "days",
    "hours",
    "0",
    "99999",
    "4294967295",
    "the day after",
    "from",
    "to",
    "noon",
    "yo",
    "month",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parse_never_panics_on_any_text(text in any::<String>()) {
        run(&text);
    }

    #[test]
    fn parse_never_panics_on_meaningful_words_in_any_order(
        words in proptest::collection::vec(proptest::sample::select(PIECES), 0..20),
    ) {
        let parsed = run(&words.join(" "));
        if let (Some(from), Some(to)) = (parsed.date_from, parsed.date_to) {
            prop_assert!(from <= to);
        }
        if let (Some(from), Some(to)) = (parsed.time_from, parsed.time_to) {
            prop_assert!(from < to);
        }
        let joined = words.concat();
        run(&joined);
    }
}
