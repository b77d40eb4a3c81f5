// SPDX-License-Identifier: MIT
#include "core/model/aggregatorfeed.h"

namespace Clickscope {

AggregatorFeed::AggregatorFeed(StreamSource &source, ClickAggregator &aggregator, QObject *parent)
    : QObject(parent)
    , m_source(source)
    , m_aggregator(aggregator)
{
    connect(&source, &StreamSource::eventsReceived, this, [this](const SseBatch &events) {
        m_aggregator.addEvents(events, m_source.clockMs());
        m_aggregator.addBytes(m_source.totalBytes() - m_bytesCounted);
        m_bytesCounted = m_source.totalBytes();
    });
    connect(&source, &StreamSource::reconnectScheduled, this, [this] { m_aggregator.addReconnect(); });
    connect(&source, &StreamSource::eventsDiscarded, this, [this](quint64 count) { m_aggregator.addDiscarded(count); });
    connect(&m_rateTick, &QTimer::timeout, this, [this] { now(); });
    m_rateTick.start(kRateTickMs);
}

ClickAggregator &AggregatorFeed::now()
{
    m_aggregator.advanceTo(m_source.clockMs());
    return m_aggregator;
}

}   // namespace Clickscope
