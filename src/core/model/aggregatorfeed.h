// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/clickaggregator.h"
#include "core/source/streamsource.h"

#include <QObject>
#include <QTimer>

namespace Clickscope {

// Feeds what a stream delivers into an aggregator (events, bytes, reconnections, discarded
// events) and moves its clock on once a second, so rates fall to 0 when the stream goes quiet.
// For whoever aggregates a source: the CLI's watch and check, a comparison of two streams.
class AggregatorFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRateTickMs = 1000;

    AggregatorFeed(StreamSource &source, ClickAggregator &aggregator, QObject *parent = nullptr);

    // The aggregate brought up to now.
    ClickAggregator &now();
    void stop() { m_rateTick.stop(); }

private:
    StreamSource &m_source;
    ClickAggregator &m_aggregator;
    quint64 m_bytesCounted = 0;
    QTimer m_rateTick;
};

}   // namespace Clickscope
