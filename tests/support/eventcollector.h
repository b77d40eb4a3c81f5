// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/streamsource.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QTcpServer>

namespace Clickscope::Testing {

// Every event a source delivers, across batches, for assertions.
struct EventCollector
{
    explicit EventCollector(StreamSource *source)
    {
        QObject::connect(source, &StreamSource::eventsReceived, source, [this](const QList<SseEvent> &batch) {
            events += batch;
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
};

// A loopback port nobody listens on: connecting there is refused at once.
inline quint16 unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace Clickscope::Testing
