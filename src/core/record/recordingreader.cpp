// SPDX-License-Identifier: MIT
#include "core/record/recordingreader.h"

#include <QJsonDocument>
#include <QtEndian>

#include <zstd.h>

namespace Clickscope {

struct RecordingReader::Context
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ~Context() { ZSTD_freeDCtx(dctx); }
};

RecordingReader::RecordingReader() : m_context(std::make_unique<Context>()) {}

RecordingReader::~RecordingReader() = default;

QString RecordingReader::at(qint64 offset, const QString &what) const
{
    return QStringLiteral("%1: at byte %2: %3").arg(m_file.fileName()).arg(offset).arg(what);
}

Result<void> RecordingReader::open(const QString &path)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly))
        return unexpected(QStringLiteral("cannot read '%1': %2").arg(path, m_file.errorString()));
    const QByteArray head = m_file.read(Recording::kFileHeadSize);
    if (head.size() < Recording::kMagicSize
        || !head.startsWith(QByteArrayView(Recording::kMagic, Recording::kMagicSize)))
        return unexpected(at(0, QStringLiteral("not a Clickscope recording (it does not start with \"CLKSREC\")")));
    if (head.size() < Recording::kFileHeadSize)
        return unexpected(at(Recording::kMagicSize, QStringLiteral("the file ends before its format version")));
    const quint16 version = qFromLittleEndian<quint16>(head.constData() + Recording::kMagicSize);
    if (version == 0 || version > Recording::kVersion)
        return unexpected(at(Recording::kMagicSize, QStringLiteral("format version %1; this program reads version %2 "
                                                                   "(a newer Clickscope wrote it)")
                                                        .arg(version)
                                                        .arg(Recording::kVersion)));
    m_blockOffset = Recording::kFileHeadSize;
    auto first = next();
    if (!first)
        return unexpected(first.error());
    if (!*first || (*first)->kind != Recording::Kind::Header)
        return unexpected(at(Recording::kFileHeadSize, QStringLiteral("expected the header record first")));
    QJsonParseError error;
    const QJsonDocument header = QJsonDocument::fromJson((*first)->payload, &error);
    if (!header.isObject())
        return unexpected(at(Recording::kFileHeadSize, QStringLiteral("the header is not a JSON object")));
    m_header = header.object();
    return {};
}

Result<void> RecordingReader::readBlock()
{
    m_file.seek(m_blockOffset);
    const QByteArray head = m_file.read(Recording::kBlockHeadSize);
    if (head.isEmpty()) {
        m_block.clear();
        m_position = 0;
        return {};   // the end, between blocks
    }
    if (head.size() < Recording::kBlockHeadSize)
        return unexpected(at(m_blockOffset, QStringLiteral("the file is cut short inside a block's head")));
    const quint32 compressedSize = qFromLittleEndian<quint32>(head.constData());
    const quint32 rawSize = qFromLittleEndian<quint32>(head.constData() + 4);
    if (rawSize == 0 || rawSize > Recording::kMaxBlockBytes
        || compressedSize > ZSTD_compressBound(Recording::kMaxBlockBytes) || compressedSize == 0)
        return unexpected(at(m_blockOffset, QStringLiteral("a block announces %1 bytes (%2 compressed), over the "
                                                           "format's limit of %3: the file is damaged")
                                                .arg(rawSize)
                                                .arg(compressedSize)
                                                .arg(Recording::kMaxBlockBytes)));
    m_compressed.resize(compressedSize);
    if (m_file.read(m_compressed.data(), compressedSize) != qint64(compressedSize))
        return unexpected(at(m_blockOffset, QStringLiteral("the file is cut short: a block of %1 bytes was announced, "
                                                           "%2 are there")
                                                .arg(compressedSize)
                                                .arg(m_file.size() - m_blockOffset - Recording::kBlockHeadSize)));
    m_block.resize(rawSize);
    const size_t got =
        ZSTD_decompressDCtx(m_context->dctx, m_block.data(), rawSize, m_compressed.constData(), compressedSize);
    if (ZSTD_isError(got) || got != rawSize)
        return unexpected(at(m_blockOffset, QStringLiteral("a block does not decompress to the %1 bytes announced "
                                                           "(%2): the file is damaged")
                                                .arg(rawSize)
                                                .arg(ZSTD_isError(got) ? QString::fromLatin1(ZSTD_getErrorName(got))
                                                                       : QStringLiteral("%1 bytes").arg(got))));
    m_position = 0;
    m_blockOffset += Recording::kBlockHeadSize + compressedSize;
    return {};
}

Result<std::optional<Recording::Record>> RecordingReader::next()
{
    if (m_position >= m_block.size()) {
        if (Result<void> ok = readBlock(); !ok)
            return unexpected(ok.error());
        if (m_block.isEmpty())
            return std::optional<Recording::Record>();
    }
    const qsizetype left = m_block.size() - m_position;
    const char *p = m_block.constData() + m_position;
    // Offsets inside a block are of its decompressed bytes; the block is named by its file offset.
    const auto damaged = [&](const QString &what) {
        return unexpected(QStringLiteral("%1: in the block before byte %2, at its byte %3: %4")
                              .arg(m_file.fileName())
                              .arg(m_blockOffset)
                              .arg(m_position)
                              .arg(what));
    };
    if (left < Recording::kRecordHeadSize)
        return damaged(QStringLiteral("a record's head is cut short"));
    Recording::Record record;
    record.kind = Recording::Kind(quint8(p[0]));
    record.timeNs = qFromLittleEndian<quint64>(p + 1);
    const quint32 size = qFromLittleEndian<quint32>(p + 9);
    if (qsizetype(size) > left - Recording::kRecordHeadSize)
        return damaged(QStringLiteral("a record of %1 bytes does not fit in its block").arg(size));
    if (record.timeNs < m_lastTimeNs)
        return damaged(QStringLiteral("a record's time goes back"));
    m_lastTimeNs = record.timeNs;
    record.payload = QByteArray(p + Recording::kRecordHeadSize, size);
    m_position += Recording::kRecordHeadSize + size;
    return std::optional<Recording::Record>(std::move(record));
}

}   // namespace Clickscope
