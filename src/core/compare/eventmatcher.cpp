// SPDX-License-Identifier: MIT
#include "core/compare/eventmatcher.h"

#include <QHash>

#include <algorithm>
#include <charconv>

namespace Clickscope {
namespace {

constexpr std::array<const char *, 3> kKeyNames = {"id", "event-id", "link-ts"};

void appendNumber(std::string &out, qint64 n)
{
    char digits[24];
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, std::size_t(end - digits));
}

// A key longer than the cap keeps its start and gets a hash of the whole, so two long keys that
// share a start still differ.
void capKey(std::string &key)
{
    if (qsizetype(key.size()) <= EventMatcher::kMaxKeyBytes)
        return;
    const size_t hash = qHash(QByteArrayView(key.data(), qsizetype(key.size())), 0x5eed);
    key.resize(std::size_t(EventMatcher::kMaxKeyBytes - 17));
    key += '#';
    char hex[16];
    const auto [end, error] = std::to_chars(hex, hex + sizeof hex, quint64(hash), 16);
    key.append(std::size_t(16 - (end - hex)), '0');
    key.append(hex, std::size_t(end - hex));
}

double percentile(std::vector<double> &values, double p)
{
    const auto at = values.begin() + std::ptrdiff_t(p * double(values.size() - 1) + 0.5);
    std::nth_element(values.begin(), at, values.end());
    return *at;
}

}   // namespace

std::size_t EventMatcher::SeededHash::operator()(const std::string &key) const
{
    return qHash(QByteArrayView(key.data(), qsizetype(key.size())), QHashSeed::globalSeed());
}

QString EventMatcher::keyName(Key key) { return QString::fromLatin1(kKeyNames[std::size_t(key)]); }

std::optional<EventMatcher::Key> EventMatcher::keyNamed(QStringView name)
{
    for (std::size_t i = 0; i < kKeyNames.size(); ++i) {
        if (name == QLatin1String(kKeyNames[i]))
            return Key(i);
    }
    return std::nullopt;
}

EventMatcher::EventMatcher() : EventMatcher(Settings{}) {}

EventMatcher::EventMatcher(Settings settings) : m_settings(settings)
{
    m_settings.window = std::clamp(m_settings.window, kMinWindow, kMaxWindow);
    m_settings.settleMs = std::max<qint64>(0, m_settings.settleMs);
}

bool EventMatcher::makeKey(QByteArrayView eventId, const ClickView &click, std::string &out) const
{
    out.clear();
    switch (m_settings.key) {
    case Key::Id:
        if (click.sequence != ClickView::kNoSequence) {
            appendNumber(out, click.sequence);
            return true;
        }
        [[fallthrough]];
    case Key::EventId:
        if (eventId.isEmpty())
            return false;
        out.assign(eventId.data(), std::size_t(eventId.size()));
        break;
    case Key::LinkAndTime:
        if (click.timestampMs == ClickView::kNoTime)
            return false;
        appendNumber(out, click.timestampMs);
        out += ' ';
        out.append(click.link.data(), std::size_t(click.link.size()));
        break;
    }
    capKey(out);
    return true;
}

EventMatcher::Comparable EventMatcher::add(int side, QByteArrayView eventId, const ClickView &click, qint64 arrivalMs)
{
    SideState &mine = m_sides[std::size_t(side & 1)];
    SideState &other = m_sides[std::size_t(1 - (side & 1))];
    ++mine.clicks;
    const bool otherBegan = other.firstArrivalMs.has_value();
    if (!makeKey(eventId, click, m_key)) {
        ++mine.unkeyed;
        return {otherBegan, false};
    }
    if (!mine.firstArrivalMs)
        mine.firstArrivalMs = arrivalMs;
    if (const auto partner = other.waiting.find(m_key); partner != other.waiting.end()) {
        ++m_matched;
        const double lag = double(arrivalMs - partner->second.arrivalMs);
        addLag(side == 0 ? -lag : lag);
        const bool partnerUncounted = !partner->second.counted;
        other.waiting.erase(partner);
        dropStaleFront(other);
        rememberPaired(m_key);
        return {true, partnerUncounted};
    }
    // The same click again is not another one to count.
    if (mine.waiting.contains(m_key) || m_paired.contains(m_key)) {
        ++mine.duplicates;
        return {false, false};
    }
    wait(mine, std::string(m_key), arrivalMs, otherBegan);
    return {otherBegan, false};
}

void EventMatcher::wait(SideState &side, std::string &&key, qint64 arrivalMs, bool counted)
{
    const quint64 serial = ++m_serial;
    side.waiting.emplace(key, Waiting{arrivalMs, serial, counted});
    side.order.emplace_back(std::move(key), serial);
    while (qsizetype(side.waiting.size()) > m_settings.window) {
        dropStaleFront(side);
        side.waiting.erase(side.order.front().first);
        side.order.pop_front();
        ++side.outOfWindow;
    }
    // Matched keys deep in the queue are skipped lazily; out of order matching could let them pile
    // up, so the queue is rebuilt from what still waits once it holds twice the window.
    if (qsizetype(side.order.size()) > 2 * m_settings.window + 1024) {
        std::erase_if(side.order, [&side](const auto &entry) {
            const auto it = side.waiting.find(entry.first);
            return it == side.waiting.end() || it->second.serial != entry.second;
        });
    }
}

void EventMatcher::dropStaleFront(SideState &side)
{
    while (!side.order.empty()) {
        const auto it = side.waiting.find(side.order.front().first);
        if (it != side.waiting.end() && it->second.serial == side.order.front().second)
            return;
        side.order.pop_front();
    }
}

void EventMatcher::rememberPaired(const std::string &key)
{
    m_paired.insert(key);
    m_pairedOrder.push_back(key);
    if (qsizetype(m_pairedOrder.size()) > m_settings.window) {
        m_paired.erase(m_pairedOrder.front());
        m_pairedOrder.pop_front();
    }
}

void EventMatcher::addLag(double lagMs)
{
    if (qsizetype(m_lags.size()) < kLagSamples) {
        m_lags.push_back(lagMs);
        return;
    }
    m_lags[std::size_t(m_lagNext)] = lagMs;
    m_lagNext = (m_lagNext + 1) % kLagSamples;
}

EventMatcher::Summary EventMatcher::summary(qint64 nowMs, qsizetype examples) const
{
    Summary out;
    out.matched = m_matched;
    for (std::size_t s = 0; s < 2; ++s) {
        const SideState &mine = m_sides[s];
        const SideState &other = m_sides[1 - s];
        Side &side = out.sides[s];
        side.clicks = mine.clicks;
        side.unkeyed = mine.unkeyed;
        side.duplicates = mine.duplicates;
        side.outOfWindow = mine.outOfWindow;
        // In arrival order, so the examples are the oldest missing ones.
        for (const auto &[key, serial] : mine.order) {
            const auto it = mine.waiting.find(key);
            if (it == mine.waiting.end() || it->second.serial != serial)
                continue;
            // "Before the other began" is what add() decided when the click came (it was not
            // counted), so the counts and the classification never disagree.
            if (!other.firstArrivalMs) {
                ++side.unmatched.pending;
            } else if (!it->second.counted) {
                ++side.unmatched.beforeOtherStarted;
            } else if (nowMs - it->second.arrivalMs >= m_settings.settleMs) {
                ++side.unmatched.missing;
                if (qsizetype(side.missingExamples.size()) < examples)
                    side.missingExamples.push_back(key);
            } else {
                ++side.unmatched.pending;
            }
        }
    }
    if (!m_lags.empty()) {
        std::vector<double> lags = m_lags;
        out.lagSamples = qsizetype(lags.size());
        out.lagMedianMs = percentile(lags, 0.5);
        out.lagP10Ms = percentile(lags, 0.1);
        out.lagP90Ms = percentile(lags, 0.9);
    }
    return out;
}

}   // namespace Clickscope
