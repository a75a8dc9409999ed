//! Fixed word lists: format, nearness, skill, price-tier and audience phrases (matched together
//! with the catalog, longest first), words that follow a service ("piano lessons"), stop words,
//! and everyday words that must never be "corrected" into a service.
//!
//! Phrases are written plainly; the vocabulary tokenizes and stems them like any query.

use super::{FormatWanted, PriceTier, Skill};
use crate::catalog::AgeGroup;

pub(super) const FORMATS: &[(&str, FormatWanted)] = &[
    ("online", FormatWanted::Online),
    ("virtual", FormatWanted::Online),
    ("virtually", FormatWanted::Online),
    ("zoom", FormatWanted::Online),
    ("remote", FormatWanted::Online),
    ("remotely", FormatWanted::Online),
    ("video", FormatWanted::Online),
    ("video call", FormatWanted::Online),
    ("video chat", FormatWanted::Online),
    ("facetime", FormatWanted::Online),
    ("skype", FormatWanted::Online),
    ("google meet", FormatWanted::Online),
    ("webcam", FormatWanted::Online),
    ("over the internet", FormatWanted::Online),
    ("in person", FormatWanted::InPerson),
    ("face to face", FormatWanted::InPerson),
    ("f2f", FormatWanted::InPerson),
    ("irl", FormatWanted::InPerson),
    ("in real life", FormatWanted::InPerson),
    ("at home", FormatWanted::Travel),
    ("at my home", FormatWanted::Travel),
    ("at my house", FormatWanted::Travel),
    ("at my place", FormatWanted::Travel),
    ("at my apartment", FormatWanted::Travel),
    ("my home", FormatWanted::Travel),
    ("my house", FormatWanted::Travel),
    ("my place", FormatWanted::Travel),
    ("my apartment", FormatWanted::Travel),
    ("in home", FormatWanted::Travel),
    ("home lessons", FormatWanted::Travel),
    ("home visits", FormatWanted::Travel),
    ("house calls", FormatWanted::Travel),
    ("comes to me", FormatWanted::Travel),
    ("come to me", FormatWanted::Travel),
    ("comes to us", FormatWanted::Travel),
    ("come to us", FormatWanted::Travel),
    ("comes to my home", FormatWanted::Travel),
    ("come to my home", FormatWanted::Travel),
    ("comes to my house", FormatWanted::Travel),
    ("come to my house", FormatWanted::Travel),
    ("travels to me", FormatWanted::Travel),
    ("travel to me", FormatWanted::Travel),
    ("studio", FormatWanted::Studio),
    ("their studio", FormatWanted::Studio),
    ("your studio", FormatWanted::Studio),
    ("teacher's studio", FormatWanted::Studio),
    ("instructor's studio", FormatWanted::Studio),
];

pub(super) const NEAR_ME: &[&str] = &[
    "near me",
    "nearby",
    "near by",
    "close by",
    "close to me",
    "closest",
    "nearest",
    "around me",
    "near here",
    "around here",
    "near my home",
    "near my house",
    "in my area",
    "in my neighborhood",
    "in my neighbourhood",
    "local",
    "locally",
    "walking distance",
];

pub(super) const SKILLS: &[(&str, Skill)] = &[
    ("beginner", Skill::Beginner),
    ("beginners", Skill::Beginner),
    ("beginning", Skill::Beginner),
    ("novice", Skill::Beginner),
    ("newbie", Skill::Beginner),
    ("new to", Skill::Beginner),
    ("never played", Skill::Beginner),
    ("never done", Skill::Beginner),
    ("never taken", Skill::Beginner),
    ("never had", Skill::Beginner),
    ("starting out", Skill::Beginner),
    ("just starting", Skill::Beginner),
    ("just started", Skill::Beginner),
    ("first time", Skill::Beginner),
    ("first timer", Skill::Beginner),
    ("from scratch", Skill::Beginner),
    ("from zero", Skill::Beginner),
    ("basics", Skill::Beginner),
    ("intro", Skill::Beginner),
    ("introductory", Skill::Beginner),
    ("intermediate", Skill::Intermediate),
    ("some experience", Skill::Intermediate),
    ("improver", Skill::Intermediate),
    ("rusty", Skill::Intermediate),
    ("refresher", Skill::Intermediate),
    ("advanced", Skill::Advanced),
    ("expert", Skill::Advanced),
    ("pro", Skill::Advanced),
    ("pro level", Skill::Advanced),
    ("professional level", Skill::Advanced),
    ("competitive", Skill::Advanced),
    ("masterclass", Skill::Advanced),
    ("master class", Skill::Advanced),
];

pub(super) const TIERS: &[(&str, PriceTier)] = &[
    ("cheap", PriceTier::Budget),
    ("cheaper", PriceTier::Budget),
    ("cheapest", PriceTier::Budget),
    ("budget", PriceTier::Budget),
    ("budget friendly", PriceTier::Budget),
    ("affordable", PriceTier::Budget),
    ("inexpensive", PriceTier::Budget),
    ("not expensive", PriceTier::Budget),
    ("not too expensive", PriceTier::Budget),
    ("low cost", PriceTier::Budget),
    ("low price", PriceTier::Budget),
    ("low priced", PriceTier::Budget),
    ("reasonably priced", PriceTier::Budget),
    ("reasonable", PriceTier::Budget),
    ("economical", PriceTier::Budget),
    ("bargain", PriceTier::Budget),
    ("premium", PriceTier::Premium),
    ("high end", PriceTier::Premium),
    ("luxury", PriceTier::Premium),
    ("upscale", PriceTier::Premium),
    ("elite", PriceTier::Premium),
    ("world class", PriceTier::Premium),
    ("expensive", PriceTier::Premium),
];

pub(super) const AUDIENCE: &[(&str, AgeGroup)] = &[
    ("toddler", AgeGroup::Toddler),
    ("baby", AgeGroup::Toddler),
    ("babies", AgeGroup::Toddler),
    ("infant", AgeGroup::Toddler),
    ("preschooler", AgeGroup::Toddler),
    ("preschool", AgeGroup::Toddler),
    ("pre k", AgeGroup::Toddler),
    ("little ones", AgeGroup::Toddler),
    ("kid", AgeGroup::Kids),
    ("kiddo", AgeGroup::Kids),
    ("child", AgeGroup::Kids),
    ("children", AgeGroup::Kids),
    ("childrens", AgeGroup::Kids),
    ("son", AgeGroup::Kids),
    ("daughter", AgeGroup::Kids),
    ("boy", AgeGroup::Kids),
    ("girl", AgeGroup::Kids),
    ("grandson", AgeGroup::Kids),
    ("granddaughter", AgeGroup::Kids),
    ("grandchild", AgeGroup::Kids),
    ("grandchildren", AgeGroup::Kids),
    ("grandkid", AgeGroup::Kids),
    ("tween", AgeGroup::Kids),
    ("kindergarten", AgeGroup::Kids),
    ("kindergartener", AgeGroup::Kids),
    ("kindergartner", AgeGroup::Kids),
    ("youth", AgeGroup::Kids),
    ("elementary school", AgeGroup::Kids),
    ("middle school", AgeGroup::Kids),
    ("middle schooler", AgeGroup::Kids),
    ("teen", AgeGroup::Teens),
    ("teenager", AgeGroup::Teens),
    ("teenage", AgeGroup::Teens),
    ("teenaged", AgeGroup::Teens),
    ("adolescent", AgeGroup::Teens),
    ("high school", AgeGroup::Teens),
    ("high schooler", AgeGroup::Teens),
    ("highschool", AgeGroup::Teens),
    ("highschooler", AgeGroup::Teens),
    ("adult", AgeGroup::Adults),
    ("grown up", AgeGroup::Adults),
    ("grown ups", AgeGroup::Adults),
    ("grownup", AgeGroup::Adults),
    ("senior", AgeGroup::Adults),
    ("retiree", AgeGroup::Adults),
    ("elderly", AgeGroup::Adults),
    ("college student", AgeGroup::Adults),
];

/// Words that, right after a service or category, only say "lessons in it".
pub(super) const SUFFIXES: &str = "\
    lesson class teacher tutor tutoring instructor instruction coach coaching course session \
    training program
";

/// Dropped from `text`: grammar, politeness, and words whose meaning the passes already took
/// (or that mean nothing for ranking: "best", "top rated", "private").
pub(super) const STOP: &str = "\
    a an the and or but nor of for to in on at by with from into about as near around within \
    without up over under above below between after before during than then so very really just \
    also too not no please pls plz hi hello hey thanks thank me my mine myself i im ive id we \
    our us you your he she him her his they them their it its this that these those who whom \
    what which where when why how is are am was were be been being do does did have has had can \
    could would should will shall may might must want wants wanted wanting need needs needed \
    looking look find finding search searching get getting some any someone somebody anyone \
    anybody something anything one ones lesson lessons class classes course courses session \
    sessions teacher teachers instructor instructors coach coaches tutoring instruction program \
    like love good great nice best top rated highly reviewed recommended available availability \
    open book booking schedule teach teaches teaching learn learning play playing take taking \
    private help price prices cost rate rates dollar dollars buck bucks usd per each hour hours \
    hr hrs hourly min mins minute minutes day days week weeks month months time times next \
    coming every early late until till til now asap soon year years old yo yr yrs age ages aged \
    nyc new york city area neighborhood neighbourhood close nearest am pm oclock st nd rd th \
    less more max maximum most least
";

/// Everyday words one letter away from a vocabulary word ("cool"/"cook", "short"/"sport",
/// "driving"/"diving"): known, so never corrected, but kept in `text`.
pub(super) const COMMON: &str = "\
    cool hard base trip star green waiting drive driving driver short spot call coming print \
    state fun patient friendly female male woman man lady guy native speaker certified \
    experienced group online free trial kind fast slow easy quick serious casual parent mom dad \
    family school work home house park street avenue subway train near nearby like love lover \
    song songs game games team club camp test exam prep help homework english math read write \
    speak speaking talk conversation grade college university job career business health body \
    mind heart
";
