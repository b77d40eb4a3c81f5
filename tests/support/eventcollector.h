// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/streamsource.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

namespace Clickscope::Testing {

// Every event a source delivers, across batches, for assertions. The connection is tied to the
// collector, so either may go first.
struct EventCollector
{
    explicit EventCollector(StreamSource *source)
    {
        QObject::connect(source, &StreamSource::eventsReceived, &m_context, [this](const SseBatch &batch) {
            batch.appendTo(events);
            ++batches;
        });
    }

    QStringList data() const
    {
        QStringList out;
        for (const SseEvent &e : events)
            out << e.dataString();
        return out;
    }
    QStringList types() const
    {
        QStringList out;
        for (const SseEvent &e : events)
            out << e.typeString();
        return out;
    }
    QJsonObject json(qsizetype i) const { return QJsonDocument::fromJson(events.at(i).data().toByteArray()).object(); }

    QList<SseEvent> events;
    int batches = 0;

private:
    QObject m_context;
};

}   // namespace Clickscope::Testing
