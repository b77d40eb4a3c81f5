// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace Clickscope {

// Counts how often each key (a link, a country, a referrer host…) occurs, in memory fixed by the
// constructor: at most `capacity` keys of at most `maxKeyBytes` bytes each, whatever the number of
// distinct keys in the stream.
//
// While no more than `capacity` distinct keys have arrived, every count is exact (isExact()).
// After that it is Space-Saving (Metwally, Agrawal, El Abbadi 2005): an unseen key replaces the
// entry with the smallest count m, takes m + n as its count and records m as its possible
// overestimate `error`; the replaced key is counted in evictions(). With N = total():
//   - for every entry: count - error <= true count <= count;
//   - error <= maxError() <= N / capacity, and every key whose true count exceeds N / capacity
//     (indeed, exceeds the smallest count) is present;
//   - an entry's rank in top() is certain when its count - error is at least the count of the
//     entry after it; true counts that differ by more than N / capacity are ranked correctly.
//
// Keys longer than maxKeyBytes are cut to that length (and counted in truncatedKeys()), so keys
// that share such a prefix are counted together: the price of a hard memory bound.
//
// Cost, with C = capacity:
//   - add() of a present key: one hash of the key, a probe in an open-addressing table that keeps
//     each key's hash (so other keys are rarely compared), one increment. O(1), no allocation.
//   - add() of a new key while exact: the same plus a copy of the key; the table and the entries
//     grow by doubling, never past what C needs.
//   - add() of a new key once full: the minimum comes from a 4-ary min-heap that is updated
//     lazily (an increment leaves the heap alone; an entry whose heap count is stale is refreshed
//     and sifted only when it reaches the top), then one sift for the new entry. O(log C)
//     amortised. The evicted entry's string is reused, so this allocates only when the key is
//     longer than any the entry held before.
//   - top(n): O(C log n).
class TopCounter
{
public:
    // Longer than practically any URL; keeps one hostile key from costing more than this.
    static constexpr qsizetype kDefaultMaxKeyBytes = 2048;
    // Entry indices are 32-bit with room for the table; no dashboard needs more rows than this.
    static constexpr qsizetype kMaxCapacity = qsizetype(1) << 24;

    struct Entry
    {
        QByteArray key;
        quint64 count = 0;
        quint64 error = 0;   // count - error <= true count <= count
    };

    // capacity is clamped to 1..kMaxCapacity, maxKeyBytes to at least 1.
    explicit TopCounter(qsizetype capacity, qsizetype maxKeyBytes = kDefaultMaxKeyBytes);

    void add(QByteArrayView key, quint64 n = 1);

    // The n largest entries, by count descending then key ascending (deterministic for ties).
    QList<Entry> top(qsizetype n) const;
    // The entry for `key` (after truncation), if it is present.
    std::optional<Entry> find(QByteArrayView key) const;

    quint64 total() const { return m_total; }   // N: the sum of every n added
    qsizetype size() const { return qsizetype(m_slots.size()); }
    qsizetype capacity() const { return m_capacity; }
    qsizetype maxKeyBytes() const { return m_maxKeyBytes; }
    bool isExact() const { return m_evictions == 0; }
    quint64 evictions() const { return m_evictions; }
    quint64 truncatedKeys() const { return m_truncatedKeys; }
    // The largest error of any entry: the smallest count at the latest eviction; 0 while exact.
    quint64 maxError() const { return m_maxError; }

    // Forgets every key and count (and the counters above); keeps the memory it has allocated.
    void clear();

    // An estimate of the bytes this counter holds: entries, table, heap, key storage, with the
    // allocator's per-block overhead. Never more than memoryBound(capacity, maxKeyBytes).
    qsizetype memoryBytes() const;
    // The most memoryBytes() can reach, whatever the stream.
    static qsizetype memoryBound(qsizetype capacity, qsizetype maxKeyBytes = kDefaultMaxKeyBytes);

private:
    struct Slot
    {
        quint64 count = 0;
        quint64 error = 0;
        std::string key;
        quint32 hash = 0;
    };
    // A heap entry's count is a lower bound of its slot's count (counts only grow); equal once
    // refreshed.
    struct HeapEntry
    {
        quint64 count;
        quint32 slot;
    };
    static constexpr quint32 kNotFound = ~quint32(0);

    quint32 hashOf(std::string_view key) const;
    static qsizetype tableSizeFor(qsizetype capacity);
    // The slot holding `key`, or kNotFound.
    quint32 lookup(std::string_view key, quint32 hash) const;
    void tableInsert(quint32 hash, quint32 slot);
    void tableErase(quint32 hash, quint32 slot);
    void growTable(std::size_t size);

    void insertNew(std::string_view key, quint32 hash, quint64 n);
    void evictMinFor(std::string_view key, quint32 hash, quint64 n);
    void buildHeap();
    void siftDown(std::size_t pos);
    static qsizetype stringHeapBytes(const std::string &s);

    qsizetype m_capacity;
    qsizetype m_maxKeyBytes;
    quint64 m_seed;   // mixed into every hash (see hashOf)
    // Open addressing, linear probing, at most half full: (hash << 32) | (slot + 1); 0 is empty.
    std::vector<quint64> m_table;
    std::vector<Slot> m_slots;
    std::vector<HeapEntry> m_heap;   // empty until the first eviction
    quint64 m_total = 0;
    quint64 m_evictions = 0;
    quint64 m_truncatedKeys = 0;
    quint64 m_maxError = 0;
    qsizetype m_keyHeapBytes = 0;   // bytes the keys hold outside their std::string (long keys)
};

}   // namespace Clickscope
