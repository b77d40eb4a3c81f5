// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recording.h"
#include "core/result.h"

#include <QFile>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace Clickscope {

// Writes a recording (docs/recording-format.md) as it goes: records gather into a block, which is
// compressed (Zstandard, fast level) and written when it reaches Recording::kBlockTargetBytes or
// when flush() is called, so a process that dies loses at most the block being gathered. The
// first failure to write (a full disk, a vanished file) is kept and every later call is refused.
class RecordingWriter
{
public:
    RecordingWriter();
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter &) = delete;
    RecordingWriter &operator=(const RecordingWriter &) = delete;

    // Creates `path` (replacing it) and writes the file head and `header` as its first block.
    Result<void> open(const QString &path, const QJsonObject &header);
    Result<void> add(Recording::Kind kind, quint64 timeNs, QByteArrayView payload);
    // Writes what is gathered as a block.
    Result<void> flush();
    // Flushes and closes; the file is complete.
    Result<void> close();

    bool isOpen() const { return m_file.isOpen(); }
    // Bytes written to the file so far, and bytes of records given to it.
    qint64 fileBytes() const { return m_fileBytes; }
    qint64 recordBytes() const { return m_recordBytes; }
    QString errorString() const { return m_error; }

private:
    Result<void> fail(const QString &message);
    Result<void> writeBlock();

    QFile m_file;
    QByteArray m_block;        // records gathered
    QByteArray m_compressed;   // reused for every block
    struct Context;
    std::unique_ptr<Context> m_context;
    qint64 m_fileBytes = 0;
    qint64 m_recordBytes = 0;
    QString m_error;
};

}   // namespace Clickscope
