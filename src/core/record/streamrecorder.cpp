// SPDX-License-Identifier: MIT
#include "core/record/streamrecorder.h"

#include "clickscope/version.h"

#include <QDateTime>
#include <QJsonDocument>

namespace Clickscope {

StreamRecorder::StreamRecorder(StreamSource &source, QObject *parent) : QObject(parent), m_source(source)
{
    connect(&m_flush, &QTimer::timeout, this, [this] {
        if (!m_writer.isOpen())
            return;
        if (const Result<void> ok = m_writer.flush(); !ok)
            stopWithFailure(ok.error());
    });
    connect(&source, &StreamSource::rawReceived, this, [this](const QByteArray &bytes, StreamSource::RawKind kind) {
        if (kind == StreamSource::RawKind::StreamBytes)
            addRead(bytes);
        else
            add(kind == StreamSource::RawKind::TextMessage ? Recording::Kind::TextMessage
                                                           : Recording::Kind::BinaryMessage,
                bytes);
    });
    connect(&source, &StreamSource::attemptStarted, this, [this] {
        m_joining.reset();   // a new connection starts with an event
        add(Recording::Kind::Attempt, {});
    });
    connect(&source, &StreamSource::exchangeRecorded, this, [this](const HttpExchange &exchange) {
        add(Recording::Kind::Response, QJsonDocument(exchange.toJson()).toJson(QJsonDocument::Compact));
    });
    const auto ended = [this](const QString &reason, std::optional<qint64> nextDelayMs) {
        QJsonObject end{{QStringLiteral("reason"), maskUrls(reason, {m_source.config().url})}};
        if (nextDelayMs)
            end.insert(QStringLiteral("nextDelayMs"), *nextDelayMs);
        add(Recording::Kind::End, QJsonDocument(end).toJson(QJsonDocument::Compact));
    };
    connect(&source, &StreamSource::reconnectScheduled, this,
            [ended](qint64 delayMs, const QString &reason) { ended(reason, delayMs); });
    connect(&source, &StreamSource::ended, this, [ended](const QString &reason) { ended(reason, std::nullopt); });
    connect(&source, &StreamSource::failed, this,
            [ended](StreamSource::Error, const QString &message) { ended(message, std::nullopt); });
}

StreamRecorder::~StreamRecorder() { (void)stop(); }

QJsonObject StreamRecorder::headerFor(const SourceConfig &config)
{
    HttpExchange request;   // masks the way the X-ray does
    request.url = config.url;
    request.method = config.method;
    request.requestHeaders = config.headers;
    const QJsonObject shown = request.toJson();
    const QString scheme = config.url.scheme().toLower();
    return {{QStringLiteral("format"), QStringLiteral("clickscope-recording")},
            {QStringLiteral("version"), Recording::kVersion},
            {QStringLiteral("program"), QStringLiteral("clickscope %1").arg(QStringLiteral(CLICKSCOPE_VERSION))},
            {QStringLiteral("url"), shown.value(QStringLiteral("url"))},
            {QStringLiteral("transport"), scheme == u"ws" || scheme == u"wss" ? QStringLiteral("websocket")
                                          : scheme == u"redis"                ? QStringLiteral("redis")
                                          : scheme == u"nats"                 ? QStringLiteral("nats")
                                                                              : QStringLiteral("sse")},
            {QStringLiteral("method"), shown.value(QStringLiteral("method"))},
            {QStringLiteral("requestHeaders"), shown.value(QStringLiteral("requestHeaders"))},
            {QStringLiteral("startedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
}

Result<void> StreamRecorder::start(const QString &path)
{
    QJsonObject header = headerFor(m_source.config());
    const StreamSource::ReadPosition position = m_source.readPosition();
    const bool joining = m_source.state() == StreamSource::State::Open && !position.atEventBoundary;
    if (joining)
        header.insert(QStringLiteral("joinedMidStream"), true);
    if (Result<void> ok = m_writer.open(path, header); !ok)
        return ok;
    m_joining.reset();
    if (joining)
        m_joining.emplace(position.atLineStart, position.afterCr);
    m_clock.start();
    m_flush.start(kFlushEveryMs);
    return {};
}

Result<void> StreamRecorder::stop()
{
    m_flush.stop();
    if (!m_writer.isOpen())
        return m_writer.errorString().isEmpty() ? Result<void>{} : Result<void>(unexpected(m_writer.errorString()));
    return m_writer.close();
}

void StreamRecorder::add(Recording::Kind kind, QByteArrayView payload)
{
    if (!m_writer.isOpen())
        return;
    if (const Result<void> ok = m_writer.add(kind, quint64(m_clock.nsecsElapsed()), payload); !ok)
        stopWithFailure(ok.error());
}

void StreamRecorder::addRead(QByteArrayView bytes)
{
    if (m_joining) {
        const qsizetype boundary = m_joining->findEnd(bytes);
        if (boundary < 0)
            return;
        m_joining.reset();
        bytes = bytes.sliced(boundary);
        if (bytes.isEmpty())
            return;
    }
    add(Recording::Kind::Data, bytes);
}

void StreamRecorder::stopWithFailure(const QString &message)
{
    // The writer has closed itself: nothing more is written, and this is said once.
    m_flush.stop();
    emit failed(message);
}

}   // namespace Clickscope
