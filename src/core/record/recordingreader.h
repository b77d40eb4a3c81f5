// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recording.h"
#include "core/result.h"

#include <QFile>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace Clickscope {

// Reads a recording (docs/recording-format.md) a block at a time: memory stays at one block
// (at most 16 MiB) whatever the file's size. A file that is not a recording, is of a later
// version, is cut short or damaged gives an error naming the offset and what was expected there,
// after every record before the damage.
class RecordingReader
{
public:
    RecordingReader();
    ~RecordingReader();
    RecordingReader(const RecordingReader &) = delete;
    RecordingReader &operator=(const RecordingReader &) = delete;

    // Opens `path` and reads its header record.
    Result<void> open(const QString &path);
    const QJsonObject &header() const { return m_header; }
    // The next record; nothing at the end of a complete file.
    Result<std::optional<Recording::Record>> next();
    // Where the next block starts: how far the file has been read.
    qint64 offset() const { return m_blockOffset; }
    qint64 fileSize() const { return m_file.size(); }

private:
    Result<void> readBlock();
    QString at(qint64 offset, const QString &what) const;

    QFile m_file;
    QJsonObject m_header;
    QByteArray m_compressed;
    QByteArray m_block;
    qsizetype m_position = 0;   // in m_block
    qint64 m_blockOffset = 0;   // of the next block in the file
    quint64 m_lastTimeNs = 0;
    struct Context;
    std::unique_ptr<Context> m_context;
};

}   // namespace Clickscope
