// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QtGlobal>

// The recording format's constants (docs/recording-format.md), shared by its writer and reader.
namespace Clickscope::Recording {

inline constexpr char kMagic[] = "CLKSREC\n";
inline constexpr qsizetype kMagicSize = 8;
inline constexpr quint16 kVersion = 1;
inline constexpr qsizetype kFileHeadSize = kMagicSize + 2;
inline constexpr qsizetype kBlockHeadSize = 8;     // compressedSize, rawSize
inline constexpr qsizetype kRecordHeadSize = 13;   // kind, timeNs, size
inline constexpr qsizetype kMaxBlockBytes = 16 * 1024 * 1024;
// A block is written once this much is gathered, or when the writer is flushed.
inline constexpr qsizetype kBlockTargetBytes = 1024 * 1024;

enum class Kind : quint8 {
    Header = 1,
    Attempt = 2,
    Response = 3,
    Data = 4,
    TextMessage = 5,
    BinaryMessage = 6,
    End = 7,
};

struct Record
{
    Kind kind = Kind::Data;
    quint64 timeNs = 0;
    QByteArray payload;
};

}   // namespace Clickscope::Recording
