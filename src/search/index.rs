//! The tantivy index on disk beside the database (`<data>/search`): one document per service of
//! each live instructor. Text fields carry the words BM25 ranks; fast fields carry everything
//! filters and ranking read per document; stored fields carry what a result card shows.
//!
//! One writer at a time (a lock inside [`SearchIndex`]), made for each change and dropped after
//! its commit, so an idle server holds no indexing memory. Start-up opens the existing index; a
//! missing or older-schema index is created empty and reported, and the caller rebuilds it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use anyhow::Context;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::listing::Offering;
use crate::areas::Areas;

/// Bump when the schema or the meaning of a field changes: the index is then rebuilt.
const SCHEMA_VERSION: &str = "3";
const WRITER_HEAP: usize = 20_000_000;

#[derive(Clone, Copy)]
pub struct Fields {
    pub instructor_id: Field,
    pub offering_id: Field,
    pub service: Field,
    pub category: Field,
    pub text: Field,
    pub display_name: Field,
    pub photo_url: Field,
    pub service_name: Field,
    pub service_id: Field,
}

/// Fast field names (read by the collector).
pub mod fast {
    pub const INSTRUCTOR: &str = "instructor_key";
    pub const RATE_TRAVEL: &str = "rate_travel";
    pub const RATE_STUDIO: &str = "rate_studio";
    pub const RATE_ONLINE: &str = "rate_online";
    pub const AGES: &str = "ages";
    pub const SKILLS: &str = "skills";
    pub const AREAS_LO: &str = "areas_lo";
    pub const AREAS_HI: &str = "areas_hi";
    pub const LAT: &str = "lat";
    pub const LNG: &str = "lng";
    pub const HAS_POSITION: &str = "has_position";
    pub const RATING: &str = "rating";
    pub const REVIEWS: &str = "reviews";
    pub const COMPLETENESS: &str = "completeness";
    pub const ACTIVE_AT: &str = "active_at";
    pub const FOUNDING: &str = "founding";
    pub const WEEK: [&str; 3] = ["week0", "week1", "week2"];
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        instructor_id: b.add_text_field("instructor_id", STRING | STORED),
        offering_id: b.add_text_field("offering_id", STRING | STORED),
        service: b.add_text_field("service", STRING),
        category: b.add_text_field("category", STRING),
        text: b.add_text_field("text", words),
        display_name: b.add_text_field("display_name", STORED),
        photo_url: b.add_text_field("photo_url", STORED),
        service_name: b.add_text_field("service_name", STORED),
        service_id: b.add_i64_field("service_id", STORED),
    };
    for name in [
        fast::INSTRUCTOR,
        fast::RATE_TRAVEL,
        fast::RATE_STUDIO,
        fast::RATE_ONLINE,
        fast::AGES,
        fast::SKILLS,
        fast::AREAS_LO,
        fast::AREAS_HI,
        fast::REVIEWS,
        fast::HAS_POSITION,
        fast::FOUNDING,
    ]
    .into_iter()
    .chain(fast::WEEK)
    {
        b.add_u64_field(name, FAST);
    }
    for name in [fast::LAT, fast::LNG, fast::RATING, fast::COMPLETENESS] {
        b.add_f64_field(name, FAST);
    }
    b.add_i64_field(fast::ACTIVE_AT, FAST | INDEXED);
    (b.build(), fields)
}

/// A stable number for an instructor id (results show one card per instructor).
pub fn instructor_key(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    writing: std::sync::Mutex<()>,
}

impl SearchIndex {
    /// Opens `dir`, creating it when missing or of another schema; the flag says whether it
    /// was (re)created and needs a rebuild from the database.
    pub fn open(dir: &Path) -> anyhow::Result<(Self, bool)> {
        let (schema, fields) = schema();
        let marker = dir.join("instainstru-schema");
        let current = std::fs::read_to_string(&marker).ok().as_deref() == Some(SCHEMA_VERSION)
            && dir.join("meta.json").exists();
        if !current && dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot clear the old search index {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the search index {}", dir.display()))?;
        let index = if current {
            Index::open_in_dir(dir).context("cannot open the search index")?
        } else {
            let index =
                Index::create_in_dir(dir, schema).context("cannot create the search index")?;
            std::fs::write(&marker, SCHEMA_VERSION)?;
            index
        };
        let mut index = index;
        // Segments are searched in parallel on both cores.
        index.set_multithread_executor(2)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("cannot read the search index")?;
        Ok((
            Self {
                index,
                reader,
                fields,
                writing: std::sync::Mutex::new(()),
            },
            !current,
        ))
    }

    /// Marks the index in `dir` as stale, so the next [`SearchIndex::open`] rebuilds it (after a
    /// restore, the index describes another database).
    pub fn forget(dir: &Path) {
        let _ = std::fs::remove_file(dir.join("instainstru-schema"));
    }

    /// Replaces everything indexed for `instructors` with `offerings` (empty: they leave the
    /// index), in one commit. Blocking: call from a blocking thread.
    pub fn replace(
        &self,
        instructors: &[String],
        offerings: &[Offering],
        areas: &Areas,
        clear_all: bool,
    ) -> anyhow::Result<()> {
        let _one_writer = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A rebuild writes with two threads (two segments, searched in parallel); an update
        // of a few instructors with one.
        let threads = if clear_all { 2 } else { 1 };
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads, threads * WRITER_HEAP)?;
        if clear_all {
            writer.delete_all_documents()?;
        }
        for id in instructors {
            writer.delete_term(Term::from_field_text(self.fields.instructor_id, id));
        }
        for offering in offerings {
            writer.add_document(self.document(offering, areas))?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, o: &Offering, areas: &Areas) -> TantivyDocument {
        let f = &self.fields;
        let schema = self.index.schema();
        let field = |name: &str| schema.get_field(name).expect("schema field");
        let mut doc = TantivyDocument::default();
        doc.add_text(f.instructor_id, &o.instructor_id);
        doc.add_text(f.offering_id, &o.offering_id);
        doc.add_text(f.service, &o.service_slug);
        doc.add_text(f.category, &o.category_slug);
        doc.add_text(f.text, &o.text);
        doc.add_text(f.display_name, &o.display_name);
        doc.add_text(f.photo_url, o.photo_url.as_deref().unwrap_or_default());
        doc.add_text(f.service_name, &o.service_name);
        doc.add_i64(f.service_id, o.service_id);
        let mut area_bits = [0u64; 2];
        for (i, area) in areas.all().iter().enumerate().take(128) {
            if o.areas.contains(&area.slug) {
                area_bits[i / 64] |= 1 << (i % 64);
            }
        }
        let (lat, lng) = o.position.unwrap_or((0.0, 0.0));
        for (name, value) in [
            (fast::INSTRUCTOR, instructor_key(&o.instructor_id)),
            (fast::RATE_TRAVEL, o.rate_travel),
            (fast::RATE_STUDIO, o.rate_studio),
            (fast::RATE_ONLINE, o.rate_online),
            (fast::AGES, o.ages),
            (fast::SKILLS, o.skills),
            (fast::AREAS_LO, area_bits[0]),
            (fast::AREAS_HI, area_bits[1]),
            (fast::REVIEWS, o.review_count),
            (fast::HAS_POSITION, u64::from(o.position.is_some())),
            (fast::FOUNDING, u64::from(o.founding)),
            (fast::WEEK[0], o.week_hours[0]),
            (fast::WEEK[1], o.week_hours[1]),
            (fast::WEEK[2], o.week_hours[2]),
        ] {
            doc.add_u64(field(name), value);
        }
        for (name, value) in [
            (fast::LAT, lat),
            (fast::LNG, lng),
            (fast::RATING, o.rating),
            (fast::COMPLETENESS, o.completeness),
        ] {
            doc.add_f64(field(name), value);
        }
        doc.add_i64(field(fast::ACTIVE_AT), o.active_at);
        doc
    }

    /// How many documents (instructor-services) are searchable now.
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}
