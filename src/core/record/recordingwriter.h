// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recording.h"
#include "core/result.h"

#include <QFile>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace Clickscope {

// Writes a recording (docs/recording-format.md) as it goes. Records gather into a block; a block
// that reaches Recording::kBlockTargetBytes, or the one flush() hands over, is compressed
// (Zstandard, fast level) and written by the writer's own thread, so the thread reading the stream
// only copies bytes. At most kMaxPendingBlocks wait for that thread: beyond them add() waits, which
// slows the reading (and the sender, through TCP) instead of growing memory. A process that dies
// loses at most the blocks not yet written. The first failure to write (a full disk, a vanished
// file) is kept, reported by the next call, and every later call is refused.
class RecordingWriter
{
public:
    static constexpr int kMaxPendingBlocks = 4;

    RecordingWriter();
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter &) = delete;
    RecordingWriter &operator=(const RecordingWriter &) = delete;

    // Creates `path` (replacing it) and writes the file head and `header` as its first block.
    Result<void> open(const QString &path, const QJsonObject &header);
    Result<void> add(Recording::Kind kind, quint64 timeNs, QByteArrayView payload);
    // Hands what is gathered over as a block, to be written and flushed to the file.
    Result<void> flush();
    // Writes everything handed over and closes the file; it is complete.
    Result<void> close();

    bool isOpen() const { return m_open; }
    // Bytes written to the file so far, and bytes of records given to it.
    qint64 fileBytes() const;
    qint64 recordBytes() const { return m_recordBytes; }
    QString errorString() const { return m_error; }

private:
    Result<void> fail(const QString &message);
    Result<void> handOver(bool flushFile);
    // The writing thread's failure, taken over on this side.
    Result<void> checkWriting();

    QFile m_file;
    QByteArray m_block;   // records gathered
    struct Writing;       // the writing thread and what it shares with this side
    std::unique_ptr<Writing> m_writing;
    bool m_open = false;
    qint64 m_recordBytes = 0;
    QString m_error;
};

}   // namespace Clickscope
