// SPDX-License-Identifier: MIT
#include "core/record/recordingwriter.h"

#include <QJsonDocument>
#include <QtEndian>

#include <zstd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace Clickscope {
namespace {

constexpr int kCompressionLevel = 1;   // fast: a recording must keep up with the stream

void appendLittleEndian(QByteArray &out, auto value)
{
    char bytes[sizeof(value)];
    qToLittleEndian(value, bytes);
    out.append(bytes, sizeof(value));
}

QString cannotWrite(const QFile &file)
{
    return QStringLiteral("cannot write '%1': %2").arg(file.fileName(), file.errorString());
}

}   // namespace

// Compresses and writes handed-over blocks in order on its own thread. Only this thread touches
// the file between its start and stop().
struct RecordingWriter::Writing
{
    struct Pending
    {
        QByteArray block;
        bool flushFile = false;
    };

    Writing(QFile &file, qint64 fileBytes) : file(file), fileBytes(fileBytes)
    {
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kCompressionLevel);
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
        thread = std::thread([this] { run(); });
    }
    ~Writing()
    {
        stop();
        ZSTD_freeCCtx(cctx);
    }

    // Waits while kMaxPendingBlocks are pending; false once writing has failed.
    bool submit(QByteArray &&block, bool flushFile)
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [this] { return failed.load() || queue.size() < size_t(kMaxPendingBlocks); });
        if (failed.load())
            return false;
        queue.push_back({std::move(block), flushFile});
        lock.unlock();
        changed.notify_all();
        return true;
    }

    // An emptied block that keeps its capacity, so gathering does not allocate again.
    QByteArray spare()
    {
        std::lock_guard lock(mutex);
        if (spares.empty())
            return {};
        QByteArray block = std::move(spares.back());
        spares.pop_back();
        return block;
    }

    // Writes what is pending and ends the thread.
    void stop()
    {
        if (!thread.joinable())
            return;
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        changed.notify_all();
        thread.join();
    }

    QString failure()
    {
        std::lock_guard lock(mutex);
        return error;
    }

    void run()
    {
        for (;;) {
            Pending job;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [this] { return stopping || !queue.empty(); });
                if (queue.empty())
                    return;
                job = std::move(queue.front());
                queue.pop_front();
            }
            changed.notify_all();
            // After a failure the rest is dropped: a recording with a hole is not a recording.
            if (!failed.load()) {
                if (QString problem = write(job); !problem.isEmpty()) {
                    std::lock_guard lock(mutex);
                    error = std::move(problem);
                    failed.store(true);
                }
            }
            job.block.resize(0);
            std::lock_guard lock(mutex);
            if (spares.size() < size_t(kMaxPendingBlocks))
                spares.push_back(std::move(job.block));
        }
    }

    // The reason it failed, or empty.
    QString write(const Pending &job)
    {
        if (!job.block.isEmpty()) {
            const size_t bound = ZSTD_compressBound(size_t(job.block.size()));
            compressed.resize(qsizetype(Recording::kBlockHeadSize + bound));
            const size_t size = ZSTD_compress2(cctx, compressed.data() + Recording::kBlockHeadSize, bound,
                                               job.block.constData(), size_t(job.block.size()));
            if (ZSTD_isError(size))
                return QStringLiteral("cannot compress a block: %1").arg(QString::fromLatin1(ZSTD_getErrorName(size)));
            qToLittleEndian(quint32(size), compressed.data());
            qToLittleEndian(quint32(job.block.size()), compressed.data() + 4);
            const qint64 total = qint64(Recording::kBlockHeadSize + size);
            if (file.write(compressed.constData(), total) != total)
                return cannotWrite(file);
            fileBytes.fetch_add(total);
        }
        if (job.flushFile && !file.flush())
            return cannotWrite(file);
        return {};
    }

    QFile &file;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    QByteArray compressed;   // reused for every block
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Pending> queue;
    std::vector<QByteArray> spares;
    bool stopping = false;
    QString error;
    std::atomic<bool> failed{false};
    std::atomic<qint64> fileBytes;
    std::thread thread;
};

RecordingWriter::RecordingWriter() = default;

RecordingWriter::~RecordingWriter()
{
    if (m_open)
        (void)close();
}

qint64 RecordingWriter::fileBytes() const { return m_writing ? m_writing->fileBytes.load() : 0; }

Result<void> RecordingWriter::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
    m_block.clear();
    if (m_writing)
        m_writing->stop();
    m_file.close();
    m_open = false;
    return unexpected(m_error);
}

Result<void> RecordingWriter::checkWriting()
{
    if (!m_writing->failed.load())
        return {};
    return fail(m_writing->failure());
}

Result<void> RecordingWriter::open(const QString &path, const QJsonObject &header)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return unexpected(cannotWrite(m_file));
    QByteArray head(Recording::kMagic, Recording::kMagicSize);
    appendLittleEndian(head, Recording::kVersion);
    if (m_file.write(head) != head.size())
        return fail(cannotWrite(m_file));
    m_writing = std::make_unique<Writing>(m_file, head.size());
    m_open = true;
    if (Result<void> ok = add(Recording::Kind::Header, 0, QJsonDocument(header).toJson(QJsonDocument::Compact)); !ok)
        return ok;
    return flush();
}

Result<void> RecordingWriter::add(Recording::Kind kind, quint64 timeNs, QByteArrayView payload)
{
    if (!m_open)
        return unexpected(m_error.isEmpty() ? QStringLiteral("the recording is not open") : m_error);
    if (Result<void> ok = checkWriting(); !ok)
        return ok;
    const qsizetype size = Recording::kRecordHeadSize + payload.size();
    if (size > Recording::kMaxBlockBytes)
        return fail(QStringLiteral("a record of %1 bytes is over the format's block size").arg(size));
    if (m_block.size() + size > Recording::kMaxBlockBytes) {
        if (Result<void> ok = handOver(false); !ok)
            return ok;
    }
    m_block.append(char(kind));
    appendLittleEndian(m_block, quint64(timeNs));
    appendLittleEndian(m_block, quint32(payload.size()));
    m_block.append(payload.data(), payload.size());
    m_recordBytes += size;
    if (m_block.size() >= Recording::kBlockTargetBytes)
        return handOver(false);
    return {};
}

Result<void> RecordingWriter::flush()
{
    if (!m_open)
        return unexpected(m_error.isEmpty() ? QStringLiteral("the recording is not open") : m_error);
    return handOver(true);
}

Result<void> RecordingWriter::handOver(bool flushFile)
{
    if (m_block.isEmpty() && !flushFile)
        return {};
    if (!m_writing->submit(std::move(m_block), flushFile))
        return checkWriting();
    m_block = m_writing->spare();
    return {};
}

Result<void> RecordingWriter::close()
{
    if (!m_open)
        return m_error.isEmpty() ? Result<void>{} : Result<void>(unexpected(m_error));
    if (Result<void> ok = handOver(true); !ok)
        return ok;
    m_writing->stop();
    if (Result<void> ok = checkWriting(); !ok)
        return ok;
    m_file.close();
    m_open = false;
    return {};
}

}   // namespace Clickscope
