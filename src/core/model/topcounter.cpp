// SPDX-License-Identifier: MIT
#include "core/model/topcounter.h"

#include <QRandomGenerator>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace Clickscope {

namespace {

// What a heap block of `n` bytes really costs with a glibc-like allocator: an 8-byte header,
// 16-byte granularity, 32 bytes at least. An estimate, but one that does not flatter.
constexpr qsizetype mallocBlock(qsizetype n)
{
    return n <= 0 ? 0 : std::max<qsizetype>(32, (n + 8 + 15) & ~qsizetype(15));
}

// Four children per node: half the depth of a binary heap, and the children of a node share
// one or two cache lines.
constexpr std::size_t kHeapArity = 4;

const std::size_t kInlineKeyCapacity = std::string().capacity();

}   // namespace

TopCounter::TopCounter(qsizetype capacity, qsizetype maxKeyBytes)
    : m_capacity(std::clamp<qsizetype>(capacity, 1, kMaxCapacity))
    , m_maxKeyBytes(std::max<qsizetype>(maxKeyBytes, 1))
    , m_seed(QRandomGenerator::global()->generate64())
{}

quint32 TopCounter::hashOf(std::string_view key) const
{
    // Keys are short (a link, a country, a host): 8 bytes at a time, mixed by multiplication,
    // inline. The seed is the counter's own, so keys chosen to collide in one run's table do not
    // collide in another's.
    const auto mix = [](std::uint64_t x) {
        x ^= x >> 32;
        x *= 0xd6e8feb86659fd93ull;
        x ^= x >> 32;
        return x;
    };
    const auto *p = reinterpret_cast<const unsigned char *>(key.data());
    std::size_t n = key.size();
    std::uint64_t h = m_seed ^ (std::uint64_t(n) * 0x9E3779B97F4A7C15ull);
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        h = mix(h ^ word);
    }
    if (n >= 4) {
        std::uint32_t head, tail;   // overlapping when n < 8
        std::memcpy(&head, p, 4);
        std::memcpy(&tail, p + n - 4, 4);
        h = mix(h ^ (std::uint64_t(head) << 32 | tail));
    } else if (n > 0) {
        h = mix(h ^ (std::uint64_t(p[0]) | std::uint64_t(p[n / 2]) << 8 | std::uint64_t(p[n - 1]) << 16));
    }
    return quint32(mix(h));
}

qsizetype TopCounter::tableSizeFor(qsizetype capacity)
{
    // At most half full, so probes stay short and a probe always ends at an empty cell.
    return qsizetype(std::bit_ceil(std::size_t(std::max<qsizetype>(2 * capacity, 2))));
}

qsizetype TopCounter::stringHeapBytes(const std::string &s)
{
    // Short keys live inside the std::string itself (small-string optimisation).
    return s.capacity() > kInlineKeyCapacity ? mallocBlock(qsizetype(s.capacity()) + 1) : 0;
}

void TopCounter::add(QByteArrayView key, quint64 n)
{
    if (n == 0)
        return;   // a new key with nothing to count must not evict anyone
    std::string_view k(key.data(), std::size_t(key.size()));
    if (key.size() > m_maxKeyBytes) {
        k = k.substr(0, std::size_t(m_maxKeyBytes));
        ++m_truncatedKeys;
    }
    m_total += n;

    const quint32 hash = hashOf(k);
    const quint32 slot = lookup(k, hash);
    if (slot != kNotFound) {
        m_slots[slot].count += n;   // the heap catches up lazily, see evictMinFor()
        return;
    }
    if (size() < m_capacity)
        insertNew(k, hash, n);
    else
        evictMinFor(k, hash, n);
}

quint32 TopCounter::lookup(std::string_view key, quint32 hash) const
{
    if (m_table.empty())
        return kNotFound;
    const std::size_t mask = m_table.size() - 1;
    for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
        const quint64 cell = m_table[pos];
        if (cell == 0)
            return kNotFound;
        if (quint32(cell >> 32) != hash)
            continue;
        const quint32 slot = quint32(cell) - 1;
        const std::string &candidate = m_slots[slot].key;
        if (candidate.size() == key.size() && std::memcmp(candidate.data(), key.data(), key.size()) == 0)
            return slot;
    }
}

void TopCounter::tableInsert(quint32 hash, quint32 slot)
{
    const std::size_t mask = m_table.size() - 1;
    std::size_t pos = hash & mask;
    while (m_table[pos] != 0)
        pos = (pos + 1) & mask;
    m_table[pos] = (quint64(hash) << 32) | (quint64(slot) + 1);
}

void TopCounter::tableErase(quint32 hash, quint32 slot)
{
    const std::size_t mask = m_table.size() - 1;
    const quint64 cell = (quint64(hash) << 32) | (quint64(slot) + 1);
    std::size_t hole = hash & mask;
    while (m_table[hole] != cell)
        hole = (hole + 1) & mask;

    // Backward-shift deletion: pull later cells of the probe run into the hole when the hole lies
    // between their home and where they sit, so lookups never need tombstones.
    for (std::size_t pos = (hole + 1) & mask;; pos = (pos + 1) & mask) {
        const quint64 next = m_table[pos];
        if (next == 0)
            break;
        const std::size_t home = quint32(next >> 32) & mask;
        if (((pos - home) & mask) >= ((pos - hole) & mask)) {
            m_table[hole] = next;
            hole = pos;
        }
    }
    m_table[hole] = 0;
}

void TopCounter::growTable(std::size_t size)
{
    std::vector<quint64> old(size, 0);
    old.swap(m_table);
    for (const quint64 cell : old) {
        if (cell != 0)
            tableInsert(quint32(cell >> 32), quint32(cell) - 1);
    }
}

void TopCounter::insertNew(std::string_view key, quint32 hash, quint64 n)
{
    // Grow by doubling, but never past what the capacity needs: left to itself a vector's last
    // doubling could nearly double what the cap promises.
    const std::size_t count = m_slots.size() + 1;
    if (2 * count > m_table.size())
        growTable(std::min(std::max<std::size_t>(16, 2 * m_table.size()), std::size_t(tableSizeFor(m_capacity))));
    if (count > m_slots.capacity())
        m_slots.reserve(std::min<std::size_t>(std::size_t(m_capacity), std::max<std::size_t>(16, 2 * m_slots.size())));

    const quint32 slot = quint32(m_slots.size());
    m_slots.push_back(Slot{n, 0, std::string(key), hash});
    m_keyHeapBytes += stringHeapBytes(m_slots.back().key);
    tableInsert(hash, slot);
}

void TopCounter::evictMinFor(std::string_view key, quint32 hash, quint64 n)
{
    if (m_heap.empty())
        buildHeap();

    // The top's heap count may be stale (its slot counted up since); refresh and sift until the
    // top is current. Every heap count is a lower bound, so a current top is the true minimum.
    for (;;) {
        HeapEntry &top = m_heap.front();
        const quint64 actual = m_slots[top.slot].count;
        if (top.count == actual)
            break;
        top.count = actual;
        siftDown(0);
    }

    const quint32 victim = m_heap.front().slot;
    Slot &slot = m_slots[victim];
    const quint64 min = slot.count;
    tableErase(slot.hash, victim);

    // Reuse the string: assign() keeps its buffer when the key fits. A longer key gets an exactly
    // sized new one (assign() would round the capacity up to twice the old one).
    m_keyHeapBytes -= stringHeapBytes(slot.key);
    if (key.size() > slot.key.capacity())
        slot.key = std::string(key);
    else
        slot.key.assign(key);
    m_keyHeapBytes += stringHeapBytes(slot.key);
    slot.hash = hash;
    slot.count = min + n;
    slot.error = min;
    tableInsert(hash, victim);

    m_heap.front().count = slot.count;
    siftDown(0);
    m_maxError = min;   // the minimum never decreases, so neither does this
    ++m_evictions;
}

void TopCounter::buildHeap()
{
    m_heap.reserve(std::size_t(m_capacity));
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        m_heap.push_back(HeapEntry{m_slots[i].count, quint32(i)});
    for (std::size_t i = m_heap.size() / kHeapArity + 1; i-- > 0;)
        siftDown(i);
}

void TopCounter::siftDown(std::size_t pos)
{
    const std::size_t n = m_heap.size();
    const HeapEntry moving = m_heap[pos];
    for (;;) {
        const std::size_t first = kHeapArity * pos + 1;
        if (first >= n)
            break;
        const std::size_t last = std::min(first + kHeapArity, n);
        std::size_t least = first;
        for (std::size_t c = first + 1; c < last; ++c) {
            if (m_heap[c].count < m_heap[least].count)
                least = c;
        }
        if (m_heap[least].count >= moving.count)
            break;
        m_heap[pos] = m_heap[least];
        pos = least;
    }
    m_heap[pos] = moving;
}

QList<TopCounter::Entry> TopCounter::top(qsizetype n) const
{
    n = std::clamp<qsizetype>(n, 0, size());
    std::vector<const Slot *> order;
    order.reserve(m_slots.size());
    for (const Slot &slot : m_slots)
        order.push_back(&slot);
    std::partial_sort(order.begin(), order.begin() + n, order.end(), [](const Slot *a, const Slot *b) {
        if (a->count != b->count)
            return a->count > b->count;
        return a->key < b->key;
    });

    QList<Entry> out;
    out.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const Slot &slot = *order[std::size_t(i)];
        out.append(Entry{QByteArray(slot.key.data(), qsizetype(slot.key.size())), slot.count, slot.error});
    }
    return out;
}

std::optional<TopCounter::Entry> TopCounter::find(QByteArrayView key) const
{
    std::string_view k(key.data(), std::size_t(key.size()));
    k = k.substr(0, std::size_t(m_maxKeyBytes));
    const quint32 slot = lookup(k, hashOf(k));
    if (slot == kNotFound)
        return std::nullopt;
    const Slot &s = m_slots[slot];
    return Entry{QByteArray(k.data(), qsizetype(k.size())), s.count, s.error};
}

void TopCounter::clear()
{
    std::fill(m_table.begin(), m_table.end(), 0);
    m_slots.clear();
    m_heap.clear();
    m_total = 0;
    m_evictions = 0;
    m_truncatedKeys = 0;
    m_maxError = 0;
    m_keyHeapBytes = 0;
}

qsizetype TopCounter::memoryBytes() const
{
    return qsizetype(sizeof(TopCounter)) + mallocBlock(qsizetype(m_table.capacity() * sizeof(quint64)))
           + mallocBlock(qsizetype(m_slots.capacity() * sizeof(Slot)))
           + mallocBlock(qsizetype(m_heap.capacity() * sizeof(HeapEntry))) + m_keyHeapBytes;
}

qsizetype TopCounter::memoryBound(qsizetype capacity, qsizetype maxKeyBytes)
{
    capacity = std::clamp<qsizetype>(capacity, 1, kMaxCapacity);
    maxKeyBytes = std::max<qsizetype>(maxKeyBytes, 1);
    const qsizetype keyBytes = std::size_t(maxKeyBytes) > kInlineKeyCapacity ? mallocBlock(maxKeyBytes + 1) : 0;
    return qsizetype(sizeof(TopCounter)) + mallocBlock(tableSizeFor(capacity) * qsizetype(sizeof(quint64)))
           + mallocBlock(capacity * qsizetype(sizeof(Slot))) + mallocBlock(capacity * qsizetype(sizeof(HeapEntry)))
           + capacity * keyBytes;
}

}   // namespace Clickscope
