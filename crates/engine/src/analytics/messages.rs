//! The scan of messages behind the message figures: one pass over the messages of both ranges (and
//! a day either side) in time order, following each chat to count conversations started, replies
//! within 24 hours and the business's first-response times, with the counts per bucket and the
//! inbound heatmap of the current range.

use std::collections::HashMap;

use super::figures::{percentile, ratio, Figures, MessagePoint};
use super::range::{LocalTime, Range};
use crate::business_hours::Schedule;
use crate::clock::Millis;
use crate::error::Result;
use crate::store::analytics::{self as sql, MessageRow, REPLY_WINDOW_MS};

/// How many messages are read before their chats are handled (see [`Chats::warm`]).
const BATCH: usize = 32;

/// About how many index rows a walk reads in the time one look-up in a thread takes.
const ROWS_PER_LOOKUP: usize = 16;

/// A message of one of the ranges waiting for a reply or an answer: its time, its range and its
/// bucket (in the current range). 16 bytes, and `Option<Option<Pending>>` too: finding each
/// message's chat state in memory is most of the scan's own time, so that state stays small.
#[derive(Debug, Clone, Copy)]
struct Pending {
    at: Millis,
    bucket: u32,
    current: bool,
}

impl Pending {
    /// 0 for the previous range, 1 for the current one.
    fn which(self) -> usize {
        self.current as usize
    }
}

/// The per-chat state of the scan (48 bytes).
#[derive(Debug)]
struct Chat {
    last_at: Option<Millis>,
    /// The newest of the business messages (in a range) since the customer last wrote, in
    /// [`Unanswered`]; [`NONE`] when there is none.
    unanswered: usize,
    /// Set while the customer waits for an answer: since their first unanswered message, which
    /// is `Some` when it lies in one of the ranges.
    waiting: Option<Option<Pending>>,
    /// What the contact did in the previous and the current range.
    seen: [Seen; 2],
}

impl Default for Chat {
    fn default() -> Chat {
        Chat {
            last_at: None,
            unanswered: NONE,
            waiting: None,
            seen: Default::default(),
        }
    }
}

/// No business message in [`Unanswered`].
const NONE: usize = usize::MAX;

/// Every chat's unanswered business messages, each chat's newest first, linked through one vector
/// in the order the scan met them: a message still within the reply window was met recently, so it
/// is near the vector's end and likely still in the CPU's cache, where a queue per chat would be a
/// memory access of its own per message.
#[derive(Default)]
struct Unanswered {
    /// Each message, and the chat's message before it.
    links: Vec<(Pending, usize)>,
}

impl Unanswered {
    /// Adds a business message to a chat's, in time order.
    fn push(&mut self, chat: &mut Chat, pending: Pending) {
        self.links.push((pending, chat.unanswered));
        chat.unanswered = self.links.len() - 1;
    }

    /// The messages from `newest` back that are at most `window` before `at`, newest first.
    fn within(
        &self,
        newest: usize,
        at: Millis,
        window: Millis,
    ) -> impl Iterator<Item = Pending> + '_ {
        let mut next = newest;
        std::iter::from_fn(move || {
            let &(pending, before) = self.links.get(next)?;
            next = before;
            (at - pending.at <= window).then_some(pending)
        })
    }
}

/// Every chat's state by contact id. Finding each message's chat is most of the scan's own time, so
/// when the ids are dense (the table hands them out in order) a vector indexed by id holds the chats,
/// without hashing and with one memory access; sparse ids (many contacts removed) use a map.
enum Chats {
    Dense(Vec<Chat>),
    Sparse(HashMap<i64, Chat>),
}

impl Chats {
    fn new(contacts: i64, max_id: i64) -> Chats {
        if max_id <= 2 * contacts + 4096 {
            let mut chats = Vec::new();
            chats.resize_with(max_id.max(0) as usize + 1, Chat::default);
            Chats::Dense(chats)
        } else {
            Chats::Sparse(HashMap::with_capacity(contacts as usize))
        }
    }

    fn get(&mut self, contact_id: i64) -> &mut Chat {
        match self {
            Chats::Dense(chats) => {
                let index = contact_id.max(0) as usize;
                if index >= chats.len() {
                    chats.resize_with(index + 1, Chat::default);
                }
                &mut chats[index]
            }
            Chats::Sparse(chats) => chats.entry(contact_id).or_default(),
        }
    }

    /// Touches the chats of the next messages, one independent read each, so the CPU fetches
    /// them from memory together: handled one by one, each message waited for its chat in turn,
    /// which was most of the scan's own time (100 000 chats do not fit in a core's cache).
    fn warm(&self, messages: &[MessageRow]) {
        if let Chats::Dense(chats) = self {
            let touched = messages
                .iter()
                .filter_map(|m| chats.get(m.contact_id.max(0) as usize))
                .fold(0usize, |sum, chat| sum ^ chat.unanswered);
            std::hint::black_box(touched);
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (i64, &Chat)> + '_> {
        match self {
            Chats::Dense(chats) => Box::new(chats.iter().enumerate().map(|(i, c)| (i as i64, c))),
            Chats::Sparse(chats) => Box::new(chats.iter().map(|(&id, c)| (id, c))),
        }
    }
}

/// Whether a contact was active, written to, and replied in a range.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    active: bool,
    written_to: bool,
    replied: bool,
}

/// Accumulates one range's figures.
#[derive(Debug, Default)]
struct Tally {
    figures: Figures,
    responses: Vec<Millis>,
}

/// What the scan gives: the message figures of the previous and the current range, and the current
/// range's points and inbound messages by local weekday and hour.
pub(super) struct MessageFigures {
    pub previous: Figures,
    pub current: Figures,
    pub points: Vec<MessagePoint>,
    pub inbound_by_hour: Vec<Vec<i64>>,
}

/// Scans the messages of a range and of the range before it; response times count only the
/// schedule's opening hours when there is one.
pub(super) fn scan(
    conn: &rusqlite::Connection,
    range: &Range,
    schedule: Option<&Schedule>,
) -> Result<MessageFigures> {
    let mut tallies = [Tally::default(), Tally::default()];
    let mut points: Vec<MessagePoint> = range
        .bucket_dates()
        .map(|date| MessagePoint {
            date,
            ..Default::default()
        })
        .collect();
    let mut bucket_responses: Vec<Vec<Millis>> = vec![Vec::new(); points.len()];
    let mut heatmap = vec![vec![0i64; 24]; 7];
    let local_time = LocalTime::new(range);
    let (contacts, max_id) = sql::contact_ids(conn)?;
    let mut chats = Chats::new(contacts, max_id);
    let mut unanswered = Unanswered::default();
    let response_time = |from: Millis, to: Millis| match schedule {
        Some(schedule) => schedule.open_millis_between(range.tz, from, to),
        None => to - from,
    };
    let record_response = |waiting: Pending,
                           at: Millis,
                           tallies: &mut [Tally; 2],
                           bucket_responses: &mut Vec<Vec<Millis>>| {
        let took = response_time(waiting.at, at);
        tallies[waiting.which()].responses.push(took);
        if waiting.current {
            bucket_responses[waiting.bucket as usize].push(took);
        }
    };

    // A day before the previous range (to see whether a chat was quiet for 24 hours) to a day after
    // the current one (replies to its last messages).
    let scan_from = range.previous_start - REPLY_WINDOW_MS;
    let scan_to = range.end + REPLY_WINDOW_MS;
    let mut handle = |chats: &mut Chats, m: MessageRow| {
        let sent = !m.inbound && m.ack >= 1;
        if !m.inbound && !sent {
            return; // queued or failed: never reached the customer
        }
        let which = range.which(m.at);
        let bucket = (which == Some(1)).then(|| range.bucket(m.at));
        let chat = chats.get(m.contact_id);
        let opens_conversation = chat
            .last_at
            .is_none_or(|last| m.at - last >= REPLY_WINDOW_MS);
        // Every unanswered message is at or before the chat's last one: after a longer quiet, none
        // is within the reply window, and the links need not be read.
        let may_reply = chat
            .last_at
            .is_some_and(|last| m.at - last <= REPLY_WINDOW_MS);
        chat.last_at = Some(m.at);
        let here = which.map(|which| Pending {
            at: m.at,
            bucket: bucket.unwrap_or(0) as u32,
            current: which == 1,
        });
        if m.inbound {
            let newest = match std::mem::replace(&mut chat.unanswered, NONE) {
                newest if may_reply => newest,
                _ => NONE,
            };
            for pending in unanswered.within(newest, m.at, REPLY_WINDOW_MS) {
                tallies[pending.which()].figures.messages_replied += 1;
                chat.seen[pending.which()].replied = true;
                if pending.current {
                    points[pending.bucket as usize].replied += 1;
                }
            }
            if chat.waiting.is_none() {
                chat.waiting = Some(here);
            }
        } else {
            if let Some(pending) = here {
                unanswered.push(chat, pending);
            }
            if m.campaign_id.is_none() {
                if let Some(Some(waiting)) = chat.waiting.take() {
                    record_response(waiting, m.at, &mut tallies, &mut bucket_responses);
                }
            }
        }
        let Some(which) = which else { return };
        let tally = &mut tallies[which];
        let f = &mut tally.figures;
        chat.seen[which].active = true;
        if opens_conversation {
            if m.inbound {
                f.conversations_by_customers += 1;
            } else {
                f.conversations_by_business += 1;
            }
        }
        if m.inbound {
            f.messages_received += 1;
        } else {
            chat.seen[which].written_to = true;
            f.messages_sent += 1;
            f.messages_delivered += (m.ack >= 2) as i64;
            f.messages_read += (m.ack >= 3) as i64;
        }
        if let Some(bucket) = bucket {
            let point = &mut points[bucket];
            if opens_conversation {
                if m.inbound {
                    point.conversations_by_customers += 1;
                } else {
                    point.conversations_by_business += 1;
                }
            }
            if m.inbound {
                point.received += 1;
                point.received_by_kind.add(m.kind);
                let (weekday, hour) = local_time.weekday_and_hour(m.at);
                heatmap[weekday][hour] += 1;
            } else {
                point.sent += 1;
                point.delivered += (m.ack >= 2) as i64;
                point.read += (m.ack >= 3) as i64;
                point.sent_by_kind.add(m.kind);
            }
        }
    };
    let mut batch = Vec::with_capacity(BATCH);
    sql::each_message(conn, scan_from, scan_to, |m| {
        batch.push(m);
        if batch.len() == BATCH {
            chats.warm(&batch);
            for m in batch.drain(..) {
                handle(&mut chats, m);
            }
        }
    })?;
    chats.warm(&batch);
    for m in batch {
        handle(&mut chats, m);
    }
    for (_, chat) in chats.iter() {
        for (tally, seen) in tallies.iter_mut().zip(chat.seen) {
            let f = &mut tally.figures;
            f.active_contacts += seen.active as i64;
            f.contacts_written_to += seen.written_to as i64;
            f.contacts_replied += (seen.replied && seen.written_to) as i64;
        }
    }
    // Customers of the ranges still waiting when the scan ended: their answer came later, if at
    // all. The answers after the scan are walked in time order, which finds most of them in one
    // pass when the ranges end recently; whoever that walk did not reach soon (ranges far in the
    // past) is looked up in their own thread.
    let mut still_waiting: HashMap<i64, Pending> = chats
        .iter()
        .filter_map(|(contact, chat)| match chat.waiting {
            Some(Some(waiting)) => Some((contact, waiting)),
            _ => None,
        })
        .collect();
    let mut walk_budget = still_waiting.len() * ROWS_PER_LOOKUP;
    let walked_to_the_end = still_waiting.is_empty()
        || sql::each_answer_after(conn, scan_to, |contact, at| {
            if let Some(waiting) = still_waiting.remove(&contact) {
                record_response(waiting, at, &mut tallies, &mut bucket_responses);
            }
            walk_budget = walk_budget.saturating_sub(1);
            walk_budget > 0 && !still_waiting.is_empty()
        })?;
    if walked_to_the_end {
        // Nobody left waiting was ever answered.
        still_waiting.clear();
    }
    for (contact, waiting) in still_waiting {
        if let Some(at) = sql::next_answer(conn, contact, scan_to)? {
            record_response(waiting, at, &mut tallies, &mut bucket_responses);
        }
    }

    for (point, mut responses) in points.iter_mut().zip(bucket_responses) {
        responses.sort_unstable();
        point.first_responses = responses.len() as i64;
        point.median_first_response_seconds = percentile(&responses, 0.5);
        point.p90_first_response_seconds = percentile(&responses, 0.9);
    }
    let [previous, current] = tallies.map(finish);
    Ok(MessageFigures {
        previous,
        current,
        points,
        inbound_by_hour: heatmap,
    })
}

/// A range's figures from its tally: the rates and the response-time percentiles.
fn finish(mut tally: Tally) -> Figures {
    let f = &mut tally.figures;
    f.delivery_rate = ratio(f.messages_delivered, f.messages_sent);
    f.read_rate = ratio(f.messages_read, f.messages_sent);
    f.reply_rate = ratio(f.contacts_replied, f.contacts_written_to);
    tally.responses.sort_unstable();
    f.first_responses = tally.responses.len() as i64;
    f.median_first_response_seconds = percentile(&tally.responses, 0.5);
    f.p90_first_response_seconds = percentile(&tally.responses, 0.9);
    tally.figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_state_stays_small() {
        assert_eq!(std::mem::size_of::<Option<Option<Pending>>>(), 16);
        assert!(std::mem::size_of::<Chat>() <= 48);
    }

    #[test]
    fn unanswered_messages_come_back_newest_first_within_the_window() {
        const HOUR: Millis = 3_600_000;
        let mut unanswered = Unanswered::default();
        let mut chats = [Chat::default(), Chat::default()];
        let at = |hours: i64, bucket: u32| Pending {
            at: hours * HOUR,
            bucket,
            current: true,
        };
        for (chat, pending) in [
            (0, at(0, 0)),
            (1, at(5, 1)),
            (0, at(10, 2)),
            (0, at(30, 3)),
            (0, at(40, 4)),
        ] {
            unanswered.push(&mut chats[chat], pending);
        }
        let [anna, ben] = chats;
        let buckets = |newest: usize, hours: i64| -> Vec<u32> {
            unanswered
                .within(newest, hours * HOUR, 24 * HOUR)
                .map(|p| p.bucket)
                .collect()
        };
        assert_eq!(buckets(anna.unanswered, 50), [4, 3], "10 h is 40 h before");
        assert_eq!(buckets(anna.unanswered, 100), Vec::<u32>::new());
        assert_eq!(buckets(ben.unanswered, 29), [1]);
        assert_eq!(buckets(NONE, 29), Vec::<u32>::new());
    }

    #[test]
    fn chats_are_found_by_contact_id_with_dense_or_sparse_ids() {
        let dense = Chats::new(3, 3);
        assert!(matches!(dense, Chats::Dense(_)));
        let sparse = Chats::new(3, 1_000_000);
        assert!(matches!(sparse, Chats::Sparse(_)));
        for mut chats in [dense, sparse] {
            chats.get(2).last_at = Some(5);
            // Beyond the ids there were when the scan began.
            chats.get(7).last_at = Some(9);
            chats.get(2).seen[1].active = true;
            let mut found: Vec<(i64, Option<Millis>, bool)> = chats
                .iter()
                .filter(|(_, chat)| chat.last_at.is_some())
                .map(|(id, chat)| (id, chat.last_at, chat.seen[1].active))
                .collect();
            found.sort_unstable();
            assert_eq!(found, [(2, Some(5), true), (7, Some(9), false)]);
        }
    }
}
