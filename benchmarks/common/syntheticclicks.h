// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

#include <vector>

namespace Clickscope::Bench {

// A click as JSON without its closing brace, so that a benchmark appends the fields it needs
// (an id, a time, a sequence) and the '}' itself.
QByteArray openClickJson(const QJsonObject &click);

// Clicks for the benchmarks, from the publisher's TrafficGenerator (the one source of synthetic
// clicks: Zipf-popular links, plausible countries, referrers, devices, browsers and user agents),
// serialised once and cycled, so that feeding a server or a client costs a copy, not the making
// of a click.
class SyntheticClicks
{
public:
    SyntheticClicks(int count, int links, quint32 seed = 1);

    qsizetype size() const { return qsizetype(m_offsets.size()) - 1; }
    // Click i (cycling through size()) as openClickJson() writes it.
    QByteArrayView openObject(qint64 i) const
    {
        const auto at = std::size_t(i % size());
        return QByteArrayView(m_bytes).sliced(m_offsets[at], m_offsets[at + 1] - m_offsets[at]);
    }

private:
    QByteArray m_bytes;
    std::vector<qsizetype> m_offsets;
};

}   // namespace Clickscope::Bench
