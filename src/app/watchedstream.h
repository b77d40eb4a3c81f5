// SPDX-License-Identifier: MIT
#pragma once

#include "app/recordingopener.h"
#include "app/streamrequest.h"
#include "core/model/clickpipeline.h"
#include "core/model/eventlogmodel.h"

#include <QString>

#include <optional>

namespace Clickscope {

// One stream of the window: its own pipeline (worker thread, aggregation, X-ray), its own
// inspector log, and what the window remembers of it between snapshots (the request, the
// connection state, the latest snapshot and X-ray, why it ended). The window shows one of them
// on the dashboard at a time and all of them in the stream list; a stream that is not shown goes
// on counting in its worker.
class WatchedStream
{
public:
    explicit WatchedStream(quint64 id);
    ~WatchedStream();
    WatchedStream(const WatchedStream &) = delete;
    WatchedStream &operator=(const WatchedStream &) = delete;

    // Unique in its window for as long as it runs: what an answer arriving later finds it by.
    quint64 id() const { return m_id; }
    ClickPipeline &pipeline() { return m_pipeline; }
    EventLogModel &log() { return m_log; }

    // The name given by the user, else the stream's host and path, else "New stream".
    QString name() const;
    const QString &givenName() const { return m_givenName; }
    void setGivenName(const QString &name) { m_givenName = name.trimmed(); }

    // Where it stands, in a few words for the stream list ("Open", "Retrying in 3 s", "Failed").
    QString stateText(qint64 nowMs) const;
    // Something is wrong: it failed, it retries, or the X-ray found an error.
    bool isInTrouble() const;

    // A stream was asked for and is connecting, open or retrying (not closed).
    bool isConnected() const { return active && state != StreamSource::State::Closed; }

    StreamRequest request;
    StreamSource::State state = StreamSource::State::Closed;
    bool active = false;       // between connecting and disconnecting
    bool remembered = false;   // the request is in the recent streams
    QString lastError;
    QString endReason;       // why it ended cleanly, when it did
    QString recordingPath;   // while recorded
    qint64 retryAtMs = 0;    // while a reconnection waits: when it is due
    QString retryReason;
    // The newest snapshot the window has taken in (at its last display tick), and its X-ray;
    // what the list, the overview and the dashboard show.
    DashboardSnapshotPtr snapshot;
    XraySnapshotPtr xray;
    // A newer one, arrived since that tick; null when none.
    DashboardSnapshotPtr arrived;
    // Every snapshot since that tick: each brings its own new events for the log.
    QList<DashboardSnapshotPtr> unlogged;
    // A recording being replayed: the file as the user chose it, and what importing it said.
    std::optional<RecordingOpener::Opened> replaying;
    QString replayingPath;
    // Restored from a workspace without its secrets: what must be given again before it connects.
    QStringList missingCredentials;
    QString secretsKey;   // its secrets' keyring entry, once it has been saved in a workspace

private:
    quint64 m_id;
    ClickPipeline m_pipeline;
    EventLogModel m_log;
    QString m_givenName;
};

}   // namespace Clickscope
