// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recordingwriter.h"
#include "core/source/streamsource.h"
#include "core/sse/sseblankline.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <optional>

namespace Clickscope {

// Records what a stream source delivers into a file as it arrives: every raw read or message
// with its time, and the attempts, response heads and ends around them. Gathered records are
// written at least once a second. A failure to write (a full disk, a file that cannot be
// created) stops the recording with failed(); the stream itself goes on.
//
// Started on an event stream in the middle of an event, it joins it at the next event boundary
// (the first blank line): what came before belongs to an event it did not see the start of, and
// would replay as garbage. The header says so ("joinedMidStream").
class StreamRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushEveryMs = 1000;

    explicit StreamRecorder(StreamSource &source, QObject *parent = nullptr);
    ~StreamRecorder() override;

    // Creates `path` and starts recording; the error says why it cannot.
    Result<void> start(const QString &path);
    // Writes what is left and closes the file; it is complete.
    Result<void> stop();

    bool isRecording() const { return m_writer.isOpen(); }
    qint64 fileBytes() const { return m_writer.fileBytes(); }
    qint64 recordedBytes() const { return m_writer.recordBytes(); }
    qint64 elapsedMs() const { return m_clock.isValid() ? m_clock.elapsed() : 0; }

    // The header a recording of `config` starts with: its URL and headers without secrets.
    static QJsonObject headerFor(const SourceConfig &config);

signals:
    void failed(const QString &message);

private:
    void add(Recording::Kind kind, QByteArrayView payload);
    void addRead(QByteArrayView bytes);
    void stopWithFailure(const QString &message);

    StreamSource &m_source;
    RecordingWriter m_writer;
    QElapsedTimer m_clock;
    QTimer m_flush;
    std::optional<SseBlankLine> m_joining;   // set until a mid-stream join meets a boundary
};

}   // namespace Clickscope
