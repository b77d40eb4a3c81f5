// SPDX-License-Identifier: MIT
#include "core/record/recordingwriter.h"

#include <QJsonDocument>
#include <QtEndian>

#include <zstd.h>

namespace Clickscope {
namespace {

constexpr int kCompressionLevel = 1;   // fast: a recording must keep up with the stream

void appendLittleEndian(QByteArray &out, auto value)
{
    char bytes[sizeof(value)];
    qToLittleEndian(value, bytes);
    out.append(bytes, sizeof(value));
}

}   // namespace

struct RecordingWriter::Context
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ~Context() { ZSTD_freeCCtx(cctx); }
};

RecordingWriter::RecordingWriter() : m_context(std::make_unique<Context>())
{
    ZSTD_CCtx_setParameter(m_context->cctx, ZSTD_c_compressionLevel, kCompressionLevel);
    ZSTD_CCtx_setParameter(m_context->cctx, ZSTD_c_checksumFlag, 1);
}

RecordingWriter::~RecordingWriter()
{
    if (m_file.isOpen())
        (void)close();
}

Result<void> RecordingWriter::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
    m_block.clear();
    m_file.close();
    return unexpected(m_error);
}

Result<void> RecordingWriter::open(const QString &path, const QJsonObject &header)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return unexpected(QStringLiteral("cannot write '%1': %2").arg(path, m_file.errorString()));
    QByteArray head(Recording::kMagic, Recording::kMagicSize);
    appendLittleEndian(head, Recording::kVersion);
    if (m_file.write(head) != head.size())
        return fail(QStringLiteral("cannot write '%1': %2").arg(path, m_file.errorString()));
    m_fileBytes = head.size();
    if (Result<void> ok = add(Recording::Kind::Header, 0, QJsonDocument(header).toJson(QJsonDocument::Compact)); !ok)
        return ok;
    return flush();
}

Result<void> RecordingWriter::add(Recording::Kind kind, quint64 timeNs, QByteArrayView payload)
{
    if (!m_file.isOpen())
        return unexpected(m_error.isEmpty() ? QStringLiteral("the recording is not open") : m_error);
    const qsizetype size = Recording::kRecordHeadSize + payload.size();
    if (size > Recording::kMaxBlockBytes)
        return fail(QStringLiteral("a record of %1 bytes is over the format's block size").arg(size));
    if (m_block.size() + size > Recording::kMaxBlockBytes) {
        if (Result<void> ok = writeBlock(); !ok)
            return ok;
    }
    m_block.append(char(kind));
    appendLittleEndian(m_block, quint64(timeNs));
    appendLittleEndian(m_block, quint32(payload.size()));
    m_block.append(payload.data(), payload.size());
    m_recordBytes += size;
    if (m_block.size() >= Recording::kBlockTargetBytes)
        return writeBlock();
    return {};
}

Result<void> RecordingWriter::flush()
{
    if (!m_file.isOpen())
        return unexpected(m_error.isEmpty() ? QStringLiteral("the recording is not open") : m_error);
    if (Result<void> ok = writeBlock(); !ok)
        return ok;
    if (!m_file.flush())
        return fail(QStringLiteral("cannot write '%1': %2").arg(m_file.fileName(), m_file.errorString()));
    return {};
}

Result<void> RecordingWriter::writeBlock()
{
    if (m_block.isEmpty())
        return {};
    const size_t bound = ZSTD_compressBound(size_t(m_block.size()));
    m_compressed.resize(qsizetype(Recording::kBlockHeadSize + bound));
    const size_t compressed = ZSTD_compress2(m_context->cctx, m_compressed.data() + Recording::kBlockHeadSize, bound,
                                             m_block.constData(), size_t(m_block.size()));
    if (ZSTD_isError(compressed))
        return fail(
            QStringLiteral("cannot compress a block: %1").arg(QString::fromLatin1(ZSTD_getErrorName(compressed))));
    qToLittleEndian(quint32(compressed), m_compressed.data());
    qToLittleEndian(quint32(m_block.size()), m_compressed.data() + 4);
    const qint64 total = qint64(Recording::kBlockHeadSize + compressed);
    if (m_file.write(m_compressed.constData(), total) != total)
        return fail(QStringLiteral("cannot write '%1': %2").arg(m_file.fileName(), m_file.errorString()));
    m_fileBytes += total;
    m_block.clear();   // keeps its capacity
    return {};
}

Result<void> RecordingWriter::close()
{
    if (!m_file.isOpen())
        return m_error.isEmpty() ? Result<void>{} : Result<void>(unexpected(m_error));
    Result<void> ok = flush();
    if (ok)
        m_file.close();
    return ok;
}

}   // namespace Clickscope
