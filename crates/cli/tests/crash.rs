//! Crash safety of `boxkeeper sync`: the process is killed with SIGKILL at random points of a
//! 20,000-entry first listing and of a stream of changes, restarted each time, and the events
//! it stores must equal those of a run that was never interrupted — nothing lost, nothing
//! twice.
//!
//! One emulator serves both databases, so entry ids and page boundaries are the same for both.
//! The changes are applied in steps; after each step the reference database syncs to
//! completion (`sync --once`, untouched), then the crashing database syncs the same step: its
//! `sync --once` is killed at a random point and restarted until a run exits 0. Since both
//! sync every step, the comparison can be exact (same events, same order, same entry ids),
//! with no guess about how a batch of changes would have been grouped. After every kill the
//! stored events must be a prefix of the reference's (read from a copy of the database, so
//! that the restarted sync is what recovers it); at the end of every step they must equal
//! them, and at the end `boxkeeper events --json` must print the same for both.
//!
//! Kill points: the reference run's pace (when each page of list_folder arrived, from the
//! emulator's request log) splits a step into the start-up and one span per page. A point is a
//! span and a random moment in its first 4/5; the listing's points are drawn uniformly over its
//! pages and taken in order, so that they spread over the whole listing. The draws come from a
//! seeded xorshift; the seed is printed, and `BOXKEEPER_CRASH_SEED=N` repeats the plan (where
//! exactly a kill lands still depends on the machine). The change stream itself is fixed.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use boxkeeper_store::Store;
use dropbox_emulator::Emulator;
use serde_json::Value;

/// Entries (files and folders, the root excluded) in the first listing.
const ENTRIES: usize = 20_000;
/// SIGKILLs in all.
const KILLS: usize = 20;
/// Of which this many are aimed at the first listing.
const LISTING_KILLS: usize = 10;
/// Steps of the change stream (more are added if kills are left over).
const CHANGE_STEPS: usize = 6;
const MAX_EXTRA_STEPS: usize = 10;
/// The change stream's seed: fixed, so every run applies the same changes.
const STREAM_SEED: u64 = 0x2416_b0c5_eed5;

/// xorshift64*: enough to pick delays and paths.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 once, so that small seeds spread and zero is not stuck.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------
// The Dropbox tree, mirrored in the test so that the change stream picks paths that exist.

const PROJECTS: [&str; 10] = [
    "Whop Keynote",
    "Acme Launch",
    "Northwind Gala",
    "Lumen Tour",
    "Harbor Summit",
    "Cobalt Awards",
    "Vista Expo",
    "Pioneer Retreat",
    "Orchid Premiere",
    "Atlas Roadshow",
];
const VENDORS: [&str; 12] = [
    "Jane Smith",
    "Stagecraft Ltd",
    "Credit Card 1138",
    "Bright Lights",
    "Uber",
    "Catering Co",
    "Sound Works",
    "Rigging Partners",
    "Amex 4401",
    "Print Hub",
    "Local Crew",
    "Van Rentals",
];
const TYPES: [&str; 3] = ["Invoice", "Receipt", "W9"];
/// 10 projects x (project folder + PO folder + 54 x (vendor folder + 36 files)) = 20,000.
const POS: usize = 54;
const FILES_PER_PO: usize = 36;
const PO_FOLDER: &str = "1. Purchase Orders";

#[derive(Default)]
struct Tree {
    /// Display path -> is a folder.
    nodes: BTreeMap<String, bool>,
    /// Paths of files changed in place, never changed twice (so no event repeats).
    modified: BTreeSet<String>,
    counter: usize,
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

fn parent_of(path: &str) -> &str {
    &path[..path.rfind('/').unwrap()]
}

impl Tree {
    fn put(&mut self, emu: &Emulator, path: &str) {
        emu.put_file(path, format!("%PDF-1.4 {path} {}", self.counter))
            .unwrap_or_else(|e| panic!("put {path}: {e}"));
        self.counter += 1;
        let mut at = parent_of(path);
        while !at.is_empty() {
            self.nodes.insert(at.to_string(), true);
            at = parent_of(at);
        }
        self.nodes.insert(path.to_string(), false);
    }

    fn subtree(&self, path: &str) -> Vec<String> {
        let below = format!("{path}/");
        let mut out = vec![path.to_string()];
        out.extend(
            self.nodes
                .range(below.clone()..)
                .take_while(|(k, _)| k.starts_with(&below))
                .map(|(k, _)| k.clone()),
        );
        out
    }

    fn relocate(&mut self, emu: &Emulator, from: &str, to: &str) {
        emu.move_path(from, to)
            .unwrap_or_else(|e| panic!("move {from} -> {to}: {e}"));
        for old in self.subtree(from) {
            let is_folder = self.nodes.remove(&old).unwrap();
            self.nodes
                .insert(format!("{to}{}", &old[from.len()..]), is_folder);
        }
        let mut at = parent_of(to);
        while !at.is_empty() {
            self.nodes.insert(at.to_string(), true);
            at = parent_of(at);
        }
    }

    fn delete(&mut self, emu: &Emulator, path: &str) {
        emu.delete_path(path)
            .unwrap_or_else(|e| panic!("delete {path}: {e}"));
        for gone in self.subtree(path) {
            self.nodes.remove(&gone);
        }
    }

    fn files(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(_, folder)| !**folder)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Vendor folders: the children of a "1. Purchase Orders" folder.
    fn po_folders(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(k, folder)| **folder && k.matches('/').count() > 1)
            .filter(|(k, _)| name_of(parent_of(k)) == PO_FOLDER)
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn po_parents(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(k, folder)| **folder && name_of(k) == PO_FOLDER)
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn projects(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(k, folder)| **folder && k.matches('/').count() == 1 && k.contains(" - "))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// "2416_07 Jane Smith" -> ("2416_07", "Jane Smith").
    fn po_parts(po_folder: &str) -> (String, String) {
        let (prefix, vendor) = name_of(po_folder).split_once(' ').unwrap();
        (prefix.to_string(), vendor.to_string())
    }
}

fn build_tree(emu: &Emulator, tree: &mut Tree) {
    for (p, project) in PROJECTS.iter().enumerate() {
        let number = 2410 + p;
        let root = format!("/{number} - {project}/{PO_FOLDER}");
        for po in 1..=POS {
            let vendor = VENDORS[(p * 7 + po) % VENDORS.len()];
            let folder = format!("{root}/{number}_{po:02} {vendor}");
            for f in 1..=FILES_PER_PO {
                let kind = TYPES[(po + f) % TYPES.len()];
                tree.put(
                    emu,
                    &format!("{folder}/{number}_{po:02}_{f:02} {vendor} {kind}.pdf"),
                );
            }
        }
    }
}

/// One step of the change stream: adds, renames, folder renames and moves, deletions, edits.
/// Some steps also rename or move a whole project (2,000 entries), so that their changes span
/// more than one page of list_folder/continue.
fn apply_changes(emu: &Emulator, tree: &mut Tree, rng: &mut Rng, step: usize) -> usize {
    let log_before = emu.log_len();
    let mut ops = 0;
    // A new vendor folder with a few documents.
    {
        let parent = rng.pick(&tree.po_parents()).clone();
        let n = tree.counter;
        let folder = format!("{parent}/2499_{n} New Vendor {n}");
        emu.create_folder(&folder).unwrap();
        tree.nodes.insert(folder.clone(), true);
        for f in 1..=3 {
            tree.put(
                emu,
                &format!("{folder}/2499_{n}_{f:02} New Vendor {n} Invoice.pdf"),
            );
        }
        ops += 4;
    }
    for _ in 0..25 {
        let po = rng.pick(&tree.po_folders()).clone();
        let (prefix, vendor) = Tree::po_parts(&po);
        let n = tree.counter;
        tree.put(emu, &format!("{po}/{prefix}_{n} {vendor} Receipt.pdf"));
        ops += 1;
    }
    for _ in 0..20 {
        let file = rng.pick(&tree.files()).clone();
        let po = parent_of(&file).to_string();
        let (prefix, vendor) = Tree::po_parts(&po);
        let n = tree.counter;
        tree.counter += 1;
        tree.relocate(
            emu,
            &file,
            &format!("{po}/{prefix}_{n} {vendor} Invoice.pdf"),
        );
        ops += 1;
    }
    for _ in 0..3 {
        let po = rng.pick(&tree.po_folders()).clone();
        let (prefix, _) = Tree::po_parts(&po);
        let vendor = rng.pick(&VENDORS);
        let n = tree.counter;
        tree.counter += 1;
        tree.relocate(
            emu,
            &po,
            &format!("{}/{prefix} {vendor} {n}", parent_of(&po)),
        );
        ops += 1;
    }
    for _ in 0..2 {
        let po = rng.pick(&tree.po_folders()).clone();
        let parents = tree.po_parents();
        let to = loop {
            let to = rng.pick(&parents);
            if to != parent_of(&po) {
                break to.clone();
            }
        };
        tree.relocate(emu, &po, &format!("{to}/{}", name_of(&po)));
        ops += 1;
    }
    for _ in 0..15 {
        let file = rng.pick(&tree.files()).clone();
        tree.delete(emu, &file);
        ops += 1;
    }
    {
        let po = rng.pick(&tree.po_folders()).clone();
        tree.delete(emu, &po);
        ops += 1;
    }
    for _ in 0..10 {
        let files: Vec<String> = tree
            .files()
            .into_iter()
            .filter(|f| !tree.modified.contains(f))
            .collect();
        let file = rng.pick(&files).clone();
        emu.put_file(&file, format!("%PDF-1.4 edited {}", tree.counter))
            .unwrap();
        tree.counter += 1;
        tree.modified.insert(file);
        ops += 1;
    }
    match step {
        // A whole project renamed: its 2,000 entries move in one go.
        2 => {
            let project = rng.pick(&tree.projects()).clone();
            tree.relocate(emu, &project, &format!("{project} (Wrapped)"));
            ops += 1;
        }
        // A whole project moved into a new archive folder.
        4 => {
            let project = rng.pick(&tree.projects()).clone();
            tree.relocate(emu, &project, &format!("/Archive 2024{project}"));
            ops += 1;
        }
        _ => {}
    }
    eprintln!(
        "step {step}: {ops} changes, {} log entries",
        emu.log_len() - log_before
    );
    ops
}

// ---------------------------------------------------------------------------------------
// Running the binary.

struct Sync<'a> {
    emu: &'a Emulator,
    token: String,
    data: PathBuf,
    log: PathBuf,
    /// Time spent in `sync` runs and in reading events back, for the summary.
    syncing: Cell<Duration>,
    reading: Cell<Duration>,
}

/// Adds the time since its start to a total when dropped.
struct Timer<'a>(&'a Cell<Duration>, Instant);

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + self.1.elapsed());
    }
}

/// Where to kill a run: `then` after it received its `pages`-th listing page (0: after its
/// start).
#[derive(Clone, Copy, Debug)]
struct Aim {
    pages: usize,
    then: Duration,
}

enum Run {
    /// Exited 0: when it started, when each listing page was answered, when it ended.
    Completed {
        started: Instant,
        pages: Vec<Instant>,
        ended: Instant,
    },
    Killed,
}

/// The pace of an uninterrupted run of one step, which kills are aimed by.
struct Pace {
    /// From the start to the first page.
    startup: Duration,
    /// Between page i and page i + 1.
    gaps: Vec<Duration>,
    /// From the last page to the exit.
    tail: Duration,
}

impl Pace {
    fn of(run: &Run) -> Pace {
        let Run::Completed {
            started,
            pages,
            ended,
        } = run
        else {
            unreachable!("only a completed run has a pace")
        };
        assert!(!pages.is_empty(), "a sync asks for at least one page");
        Pace {
            startup: pages[0] - *started,
            gaps: pages.windows(2).map(|w| w[1] - w[0]).collect(),
            tail: *ended - *pages.last().unwrap(),
        }
    }

    fn pages(&self) -> usize {
        self.gaps.len() + 1
    }

    /// Where to kill a run of this step that starts with `done` of its pages stored, for the
    /// kill to land during `page` of the step (0: during the run's start-up): after the run
    /// receives that page, a random moment within 4/5 of the time the uninterrupted run spent
    /// on it (so that timing noise rarely makes a kill come too late).
    fn aim(&self, rng: &mut Rng, page: usize, done: usize) -> Aim {
        let pages = page.saturating_sub(done);
        let span = if pages == 0 {
            self.startup
        } else if page < self.pages() {
            self.gaps[page - 1]
        } else {
            self.tail
        };
        let micros = (span.as_micros() as u64 * 4 / 5).max(1);
        Aim {
            pages,
            then: Duration::from_micros(rng.next() % micros),
        }
    }
}

fn is_page(r: &dropbox_emulator::RequestRecord) -> bool {
    matches!(
        r.path.as_str(),
        "/2/files/list_folder" | "/2/files/list_folder/continue"
    ) && r.status == Some(200)
}

impl Sync<'_> {
    fn command(&self, db: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_boxkeeper"));
        cmd.arg("--db")
            .arg(db)
            .env("BOXKEEPER_DATA_DIR", &self.data)
            .env("BOXKEEPER_LOG", "warn");
        cmd
    }

    /// `sync --once`, SIGKILLed at `aim` if it is still running then. The emulator's request
    /// log tells when the run received each page (only this run talks to it meanwhile).
    fn run(&self, db: &Path, aim: Option<Aim>, seed: u64) -> Run {
        let stderr = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let seen = self.emu.requests().len();
        let base = self.emu.base_url();
        let started = Instant::now();
        let mut child = self
            .command(db)
            .args(["sync", "--once", "--folder", ""])
            .args(["--api-base", &base, "--notify-base", &base])
            .env("BOXKEEPER_DROPBOX_TOKEN", &self.token)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start boxkeeper sync");
        let _timer = Timer(&self.syncing, started);
        let pages = || -> Vec<Instant> {
            self.emu.requests()[seen..]
                .iter()
                .filter(|r| is_page(r))
                .map(|r| r.at)
                .collect()
        };
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let ended = Instant::now();
                assert!(
                    status.success(),
                    "seed {seed}: sync of {} exited with {status}; its stderr:\n{}",
                    db.display(),
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
                return Run::Completed {
                    started,
                    pages: pages(),
                    ended,
                };
            }
            if let Some(aim) = aim {
                let anchor = match aim.pages {
                    0 => Some(started),
                    n => pages().get(n - 1).copied(),
                };
                if anchor.is_some_and(|a| a.elapsed() >= aim.then) {
                    // Child::kill is SIGKILL on Unix: no handler, nothing flushed or rolled
                    // back by the process.
                    child.kill().unwrap();
                    child.wait().unwrap();
                    return Run::Killed;
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// What `boxkeeper events --json` prints, without `seq` and `at_ms` (which differ
    /// between databases); `seq` must increase.
    fn events_json(&self, db: &Path) -> Vec<Value> {
        let _timer = Timer(&self.reading, Instant::now());
        let out = self
            .command(db)
            .args(["events", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "events: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut last_seq = i64::MIN;
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                let obj = v.as_object_mut().unwrap();
                let seq = obj.remove("seq").and_then(|s| s.as_i64()).unwrap();
                assert!(seq > last_seq, "seq {seq} after {last_seq}");
                last_seq = seq;
                obj.remove("at_ms");
                v
            })
            .collect()
    }

    /// The stored events, oldest first, as the store reads them (the CLI's `events` in a
    /// debug build takes a second for 20,000; this takes a tenth); `seq` must increase.
    fn events(&self, db: &Path) -> Vec<Ev> {
        let _timer = Timer(&self.reading, Instant::now());
        let store = Store::open(db).unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
        let mut last_seq = i64::MIN;
        store
            .all_events(None)
            .unwrap()
            .into_iter()
            .map(|s| {
                assert!(s.seq > last_seq, "seq {} after {last_seq}", s.seq);
                last_seq = s.seq;
                Ev {
                    kind: format!("{:?}", s.event.kind),
                    path: s.event.path,
                    old_path: s.event.old_path,
                    id: s.event.id,
                    descendants: s.event.descendants,
                }
            })
            .collect()
    }

    /// The events of a killed run's database, read from a copy of its files so that the
    /// restarted sync, not this reader, is the one that finds the database as the kill left
    /// it (with its write-ahead log).
    fn events_after_kill(&self, db: &Path) -> Vec<Ev> {
        let copy = self.data.join("inspect.db");
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            let to = PathBuf::from(format!("{}{suffix}", copy.display()));
            let _ = std::fs::remove_file(&to);
            if from.exists() {
                std::fs::copy(&from, &to).unwrap();
            }
        }
        if !copy.exists() {
            return Vec::new(); // killed before the database was created
        }
        self.events(&copy)
    }
}

/// An event as compared: everything but its sequence number and time.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ev {
    kind: String,
    path: String,
    old_path: Option<String>,
    /// The Dropbox id of the entry.
    id: Option<String>,
    descendants: u32,
}

fn key(e: &Ev) -> String {
    format!(
        "{} {} <- {} ({})",
        e.kind,
        e.path,
        e.old_path.as_deref().unwrap_or("-"),
        e.descendants
    )
}

/// `stored` must be the first `stored.len()` events of `reference`.
fn assert_prefix(stored: &[Ev], reference: &[Ev], seed: u64, when: &str) {
    assert!(
        stored.len() <= reference.len(),
        "seed {seed}: {when}: {} events stored, the reference has only {}",
        stored.len(),
        reference.len()
    );
    if let Some(i) = (0..stored.len()).find(|&i| stored[i] != reference[i]) {
        let around = |events: &[Ev]| {
            events[i.saturating_sub(2)..(i + 3).min(events.len())]
                .iter()
                .map(key)
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        panic!(
            "seed {seed}: {when}: event {i} differs\n  stored:    {:?}\n  reference: {:?}\n  \
             stored near it:\n    {}\n  reference near it:\n    {}",
            stored[i],
            reference[i],
            around(stored),
            around(reference)
        );
    }
}

/// Each event occurs no more often than in the reference (where each occurs once).
fn assert_nothing_twice(stored: &[Ev], reference: &[Ev], seed: u64) {
    let count = |events: &[Ev]| {
        let mut c: HashMap<String, usize> = HashMap::new();
        for e in events {
            *c.entry(key(e)).or_default() += 1;
        }
        c
    };
    let (s, r) = (count(stored), count(reference));
    let twice: Vec<&String> = s
        .iter()
        .filter(|(k, n)| **n > r.get(*k).copied().unwrap_or(0))
        .map(|(k, _)| k)
        .take(10)
        .collect();
    assert!(
        twice.is_empty(),
        "seed {seed}: events stored twice: {twice:#?}"
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// Nothing of the step committed yet (start-up, first request, first page in flight).
    BeforeFirstCommit,
    /// Some pages of the step committed, not all.
    MidStep,
    /// Everything committed; the process was about to exit.
    AfterLastCommit,
}

struct Kill {
    step: usize,
    stored: usize,
    landed: Landed,
}

#[test]
fn sync_killed_at_random_points_stores_the_same_events_as_an_uninterrupted_run() {
    let seed = std::env::var("BOXKEEPER_CRASH_SEED")
        .ok()
        .map(|s| s.parse::<u64>().expect("BOXKEEPER_CRASH_SEED is a number"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test seed {seed} (BOXKEEPER_CRASH_SEED={seed} repeats the kill plan)");
    let t0 = Instant::now();

    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let mut tree = Tree::default();
    build_tree(&emu, &mut tree);
    assert_eq!(tree.nodes.len(), ENTRIES, "the tree's size");
    eprintln!("tree of {ENTRIES} entries built in {:?}", t0.elapsed());

    let data = tempfile::tempdir().unwrap();
    let sync = Sync {
        emu: &emu,
        token: emu.issue_tokens("boxkeeper-crash-test").access_token,
        data: data.path().to_path_buf(),
        log: data.path().join("sync-stderr.log"),
        syncing: Cell::default(),
        reading: Cell::default(),
    };
    let reference_db = data.path().join("reference.db");
    let crash_db = data.path().join("crash.db");

    let mut kill_rng = Rng::new(seed);
    let mut stream_rng = Rng::new(STREAM_SEED);
    let mut reference: Vec<Ev> = Vec::new();
    let mut kills: Vec<Kill> = Vec::new();
    let mut missed = 0;
    let mut step = 0;
    loop {
        if step > 0 {
            apply_changes(&emu, &mut tree, &mut stream_rng, step);
        }

        // The reference: one uninterrupted `sync --once`.
        let run = sync.run(&reference_db, None, seed);
        let pace = Pace::of(&run);
        let before = reference.len();
        reference = sync.events(&reference_db);
        let after = reference.len();
        if step == 0 {
            assert_eq!(after, ENTRIES, "the first listing: one event per entry");
            assert!(reference
                .iter()
                .all(|e| e.kind == "FileAdded" || e.kind == "FolderAdded"));
            assert_eq!(
                ENTRIES % pace.pages(),
                0,
                "the listing's pages are full: {} pages",
                pace.pages()
            );
            // A sync with nothing new records nothing.
            sync.run(&reference_db, None, seed);
            assert_eq!(sync.events(&reference_db).len(), ENTRIES);
        }
        assert!(after > before, "step {step} recorded events");
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &reference[before..] {
            *kinds.entry(e.kind.as_str()).or_default() += 1;
        }
        eprintln!(
            "step {step}: the reference stored {} events from {} pages in {:?}: {kinds:?}",
            after - before,
            pace.pages(),
            pace.startup + pace.gaps.iter().sum::<Duration>() + pace.tail
        );

        // The crashing run: killed at random points, restarted, until a run completes.
        let quota = if step == 0 {
            LISTING_KILLS
        } else {
            let left = KILLS - kills.len();
            let steps_left = (CHANGE_STEPS + 1).saturating_sub(step).max(1);
            left.div_ceil(steps_left)
        };
        // The kill points, as pages of the step in order (see the crate doc): for the
        // listing, during one of its pages; for a step of changes, anywhere from the start-up
        // (0) to the end, and a kill that comes too late moves on to the next step.
        let mut points: Vec<usize> = (0..quota)
            .map(|_| {
                if step == 0 {
                    1 + kill_rng.below(pace.pages())
                } else {
                    kill_rng.below(pace.pages() + 1)
                }
            })
            .collect();
        points.sort_unstable();
        let mut stored = before;
        let mut step_kills = 0;
        loop {
            if step_kills == quota || kills.len() == KILLS {
                sync.run(&crash_db, None, seed);
                break;
            }
            // The listing's pages are all 2,000 entries, so what is stored says how many are
            // done; a step of changes is aimed as if from its start.
            let done = if step == 0 {
                (stored - before) / (ENTRIES / pace.pages())
            } else {
                0
            };
            let aim = pace.aim(&mut kill_rng, points[step_kills], done);
            match sync.run(&crash_db, Some(aim), seed) {
                Run::Completed { .. } => {
                    missed += 1;
                    eprintln!("  (step {step}: the run ended before {aim:?})");
                    break;
                }
                Run::Killed => {
                    let events = sync.events_after_kill(&crash_db);
                    let when = format!("after kill {} (step {step}, {aim:?})", kills.len() + 1);
                    assert_prefix(&events, &reference, seed, &when);
                    assert!(
                        events.len() >= before,
                        "seed {seed}: {when}: {} events stored, {before} before the step",
                        events.len()
                    );
                    stored = events.len();
                    let landed = if stored == before {
                        Landed::BeforeFirstCommit
                    } else if stored < after {
                        Landed::MidStep
                    } else {
                        Landed::AfterLastCommit
                    };
                    eprintln!(
                        "  kill {:>2}: step {step}, aimed at page {} of {} ({:.1?} after the run's page {}): {stored} events stored ({landed:?})",
                        kills.len() + 1,
                        points[step_kills],
                        pace.pages(),
                        aim.then,
                        aim.pages,
                    );
                    kills.push(Kill {
                        step,
                        stored,
                        landed,
                    });
                    step_kills += 1;
                }
            }
        }

        let events = sync.events(&crash_db);
        assert_nothing_twice(&events, &reference, seed);
        assert_prefix(&events, &reference, seed, &format!("end of step {step}"));
        assert_eq!(
            events.len(),
            reference.len(),
            "seed {seed}: end of step {step}: events lost (the stored ones are a prefix of the reference's)"
        );

        step += 1;
        if step > CHANGE_STEPS && kills.len() == KILLS {
            break;
        }
        assert!(
            step <= CHANGE_STEPS + MAX_EXTRA_STEPS,
            "seed {seed}: only {} kills landed in {step} steps",
            kills.len()
        );
    }

    // What a user sees is the same too, parsed fields included.
    assert!(
        sync.events_json(&crash_db) == sync.events_json(&reference_db),
        "seed {seed}: `boxkeeper events --json` differs between the databases"
    );

    // Every event once in the reference, so "nothing twice" above means what it says.
    let mut keys = BTreeSet::new();
    for e in &reference {
        assert!(keys.insert(key(e)), "the change stream repeats {}", key(e));
    }

    let count = |f: &dyn Fn(&Kill) -> bool| kills.iter().filter(|k| f(k)).count();
    let listing_mid = count(&|k| k.step == 0 && k.landed == Landed::MidStep);
    eprintln!(
        "{} kills ({missed} aimed after a run had ended) over {step} steps, {} events compared, in {:?}:\n  \
         first listing: {} kills, {listing_mid} with a partial listing stored (0 < stored < {ENTRIES}), {} before its first page, {} after its last\n  \
         change stream: {} kills, {} between pages of a step, {} before a step's first page, {} after its last",
        kills.len(),
        reference.len(),
        t0.elapsed(),
        count(&|k| k.step == 0),
        count(&|k| k.step == 0 && k.landed == Landed::BeforeFirstCommit),
        count(&|k| k.step == 0 && k.landed == Landed::AfterLastCommit),
        count(&|k| k.step > 0),
        count(&|k| k.step > 0 && k.landed == Landed::MidStep),
        count(&|k| k.step > 0 && k.landed == Landed::BeforeFirstCommit),
        count(&|k| k.step > 0 && k.landed == Landed::AfterLastCommit),
    );
    let partial: Vec<usize> = kills
        .iter()
        .filter(|k| k.step == 0)
        .map(|k| k.stored)
        .collect();
    eprintln!("  events stored after each first-listing kill: {partial:?}");
    eprintln!(
        "  time in sync runs {:?}, in reading events back {:?}",
        sync.syncing.get(),
        sync.reading.get()
    );
    assert_eq!(kills.len(), KILLS);
    assert!(
        listing_mid >= 3,
        "seed {seed}: only {listing_mid} kills landed mid-listing"
    );
}
