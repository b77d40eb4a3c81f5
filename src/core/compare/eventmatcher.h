// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/click.h"

#include <QByteArrayView>
#include <QString>

#include <array>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace Clickscope {

// Pairs the clicks of two streams that should carry the same clicks (an SSE and a WebSocket feed
// of one publisher, staging and production) and says which arrived on one side only, and how far
// apart the pairs arrived.
//
// A click is known by a key: its id (the numeric id it carries, else its event's id), only its
// event's id, or its link and time. A click waits for its partner in a window of the last
// `window` unmatched clicks of its side; one pushed out of the window is counted as such, never
// as missing, since its partner may still have come. A click that arrived before the other
// stream's first click was one that stream never had the chance to see; one that came after is
// only called missing once the other side has had `settleMs` to deliver it. While the other stream
// has delivered no click at all, nothing is missing yet: its clicks are still to come. A click
// that arrives again after it was paired (a resent event after a reconnection) is a duplicate.
//
// Memory is bounded: at most `window` waiting keys per side and `window` recently paired ones,
// each cut to kMaxKeyBytes (with the window at its default, under 100 MB in all whatever the ids),
// and kLagSamples lags. Keys are hashed with a per-process seed, so chosen ids cannot pile up.
class EventMatcher
{
public:
    enum class Key { Id, EventId, LinkAndTime };

    struct Settings
    {
        Key key = Key::Id;
        qsizetype window = 50'000;
        qint64 settleMs = 5'000;
    };

    static constexpr qsizetype kMaxKeyBytes = 256;
    static constexpr qsizetype kLagSamples = 10'000;
    static constexpr qsizetype kMinWindow = 1;
    static constexpr qsizetype kMaxWindow = 1'000'000;

    // "id", "event-id", "link-ts".
    static QString keyName(Key key);
    static std::optional<Key> keyNamed(QStringView name);

    EventMatcher();
    explicit EventMatcher(Settings settings);

    // Which clicks a comparison of counts should count, so that two streams that agree come out
    // equal however far apart they began: a click that arrived once the other stream had begun,
    // and one from before that the other stream delivered too (counted when its partner comes);
    // never a duplicate.
    struct Comparable
    {
        bool thisClick = false;
        bool partner = false;   // the partner of this click, waiting uncounted until now
    };

    // One click of side 0 or 1, decoded from an event whose id was `eventId`, that arrived at
    // `arrivalMs`.
    Comparable add(int side, QByteArrayView eventId, const ClickView &click, qint64 arrivalMs);

    // A side's clicks that found no partner, by why.
    struct Unmatched
    {
        quint64 missing = 0;              // the other side had settleMs to deliver it and did not
        quint64 pending = 0;              // the other side may still deliver it
        quint64 beforeOtherStarted = 0;   // arrived before the other side's first click, once there was one
    };
    struct Side
    {
        quint64 clicks = 0;
        quint64 unkeyed = 0;       // no key: not matched at all
        quint64 duplicates = 0;    // a key already waiting on this side, or paired already
        quint64 outOfWindow = 0;   // pushed out of the window unmatched
        Unmatched unmatched;
        std::vector<std::string> missingExamples;   // the oldest few missing keys
    };
    struct Summary
    {
        quint64 matched = 0;
        std::array<Side, 2> sides;
        // Side 1's arrival minus side 0's, over the latest kLagSamples pairs: positive when side 1 is behind.
        std::optional<double> lagMedianMs;
        std::optional<double> lagP10Ms;
        std::optional<double> lagP90Ms;
        qsizetype lagSamples = 0;
    };
    Summary summary(qint64 nowMs, qsizetype examples = 5) const;

    const Settings &settings() const { return m_settings; }

private:
    struct Waiting
    {
        qint64 arrivalMs = 0;
        quint64 serial = 0;
        bool counted = false;   // see Comparable
    };
    struct SeededHash
    {
        std::size_t operator()(const std::string &key) const;
    };
    struct SideState
    {
        std::unordered_map<std::string, Waiting, SeededHash> waiting;
        // Keys in arrival order, with the serial they waited under; matched ones are skipped lazily.
        std::deque<std::pair<std::string, quint64>> order;
        std::optional<qint64> firstArrivalMs;
        quint64 clicks = 0;
        quint64 unkeyed = 0;
        quint64 duplicates = 0;
        quint64 outOfWindow = 0;
    };

    bool makeKey(QByteArrayView eventId, const ClickView &click, std::string &out) const;
    void wait(SideState &side, std::string &&key, qint64 arrivalMs, bool counted);
    void dropStaleFront(SideState &side);
    void addLag(double lagMs);
    void rememberPaired(const std::string &key);

    Settings m_settings;
    std::array<SideState, 2> m_sides;
    quint64 m_matched = 0;
    quint64 m_serial = 0;
    // The latest `window` keys that paired, oldest first: their repeats are duplicates, not new clicks.
    std::unordered_set<std::string, SeededHash> m_paired;
    std::deque<std::string> m_pairedOrder;
    std::vector<double> m_lags;   // a ring of kLagSamples
    qsizetype m_lagNext = 0;
    std::string m_key;   // reused for every lookup
};

}   // namespace Clickscope
