// SPDX-License-Identifier: MIT
#include "core/record/replaysource.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <algorithm>
#include <cmath>

namespace Clickscope {
namespace {

// As fast as possible still hands the event loop back this often, so a window stays responsive.
constexpr qint64 kSliceMs = 5;

HttpExchange exchangeFrom(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    HttpExchange exchange;
    exchange.url = QUrl(object.value(QStringLiteral("url")).toString());
    exchange.method = object.value(QStringLiteral("method")).toString().toLatin1();
    exchange.status = object.value(QStringLiteral("status")).toInt();
    exchange.reason = object.value(QStringLiteral("reason")).toString().toLatin1();
    exchange.version = object.value(QStringLiteral("version")).toString().toLatin1();
    exchange.headMs = object.value(QStringLiteral("headMs")).toInteger(-1);
    for (const char *side : {"requestHeaders", "responseHeaders"}) {
        const QJsonObject headers = object.value(QLatin1String(side)).toObject();
        QList<HttpHeader> &into =
            qstrcmp(side, "requestHeaders") == 0 ? exchange.requestHeaders : exchange.responseHeaders;
        for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
            into.append({it.key().toLatin1(), it.value().toString().toUtf8()});
    }
    return exchange;
}

}   // namespace

ReplaySource::ReplaySource(const QString &path, double speed, SourceConfig config, QObject *parent)
    : StreamSource(
        [&] {
            config.url = QUrl::fromLocalFile(path);
            config.connectTimeoutMs = 0;
            config.idleTimeoutMs = 0;
            return config;
        }(),
        parent)
    , m_path(path)
    , m_speed(std::isfinite(speed) && speed > 0 ? speed : 0)
    , m_parser(m_config.limits)
{
    m_next.setSingleShot(true);
    connect(&m_next, &QTimer::timeout, this, &ReplaySource::playDue);
    // The clock is the recording's from the start, before the first record plays: a snapshot
    // made meanwhile must not be at the wall clock's time (or at 1970's).
    m_opened = m_reader.open(path);   // a failure is told when the replay is opened
    const QDateTime startedAt =
        m_opened
            ? QDateTime::fromString(m_reader.header().value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs)
            : QDateTime();
    m_startedAtMs = startedAt.isValid() ? startedAt.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
}

void ReplaySource::setDurationNs(qint64 durationNs) { m_durationNs = std::max<qint64>(0, durationNs); }

void ReplaySource::connectNow()
{
    if (m_playing)
        return;   // one recording, one run: the attempts inside it are replayed, not made
    if (!m_opened) {
        fail(Error::Recording, m_opened.error());
        return;
    }
    if (m_durationNs == 0)
        measureDuration();
    m_playing = true;
    rebase(0);
    if (!m_paused || m_targetNs >= 0)
        m_next.start(0);
}

void ReplaySource::measureDuration()
{
    // A second reader: the one playing keeps its place. Damage ends the measure where it ends play.
    RecordingReader reader;
    if (!reader.open(m_path))
        return;
    for (;;) {
        auto record = reader.next();
        if (!record || !*record)
            break;
        m_durationNs = std::max(m_durationNs, qint64((*record)->timeNs));
    }
}

void ReplaySource::rebase(qint64 positionNs)
{
    m_baseNs = positionNs;
    m_clock.start();
}

qint64 ReplaySource::positionNs() const
{
    // What a record delivers arrives at its own time, however late the event loop played it.
    if (m_inRecord)
        return m_playedNs;
    if (!m_playing || m_paused || m_speed == 0 || m_targetNs >= 0)
        return std::max(m_playedNs, m_baseNs);
    // Between records the recording's time runs on, up to the next record.
    const qint64 running = m_baseNs + qint64(double(m_clock.nsecsElapsed()) * m_speed);
    const qint64 next = m_pending ? qint64(m_pending->timeNs) : m_durationNs;
    return std::clamp(running, m_playedNs, std::max(m_playedNs, next));
}

qint64 ReplaySource::clockMs() const { return m_startedAtMs + positionNs() / 1'000'000; }

void ReplaySource::setSpeed(double speed)
{
    const qint64 now = positionNs();
    m_speed = std::isfinite(speed) && speed > 0 ? speed : 0;
    rebase(now);
    if (m_playing && !m_paused)
        m_next.start(0);
}

void ReplaySource::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    const qint64 now = positionNs();
    m_paused = paused;
    rebase(now);
    if (!m_playing)
        return;
    if (paused && m_targetNs < 0)
        m_next.stop();
    else
        m_next.start(0);
}

void ReplaySource::fastForwardTo(qint64 targetNs)
{
    if (targetNs <= positionNs())
        return;
    m_targetNs = targetNs;
    if (m_playing)
        m_next.start(0);
}

void ReplaySource::dropConnection()
{
    m_next.stop();
    m_playing = false;
}

void ReplaySource::playDue()
{
    const QPointer<ReplaySource> self(this);
    QElapsedTimer slice;
    slice.start();
    while (self && m_playing) {
        if (m_paused && m_targetNs < 0) {
            flushMessages();
            return;
        }
        if (!m_pending) {
            auto record = m_reader.next();
            if (!record) {
                flushMessages();
                if (self)
                    fail(Error::Recording, record.error());
                return;
            }
            if (!*record) {
                m_targetNs = -1;
                m_playedNs = std::max(m_playedNs, m_durationNs);
                if (flushMessages() && self)
                    stop(QStringLiteral("the recording ended"));
                return;
            }
            m_pending = std::move(**record);
        }
        const qint64 pendingNs = qint64(m_pending->timeNs);
        if (m_targetNs >= 0 && pendingNs >= m_targetNs) {
            // Arrived: from here on at the speed again, or paused at the target.
            m_playedNs = std::max(m_playedNs, m_targetNs);
            rebase(std::exchange(m_targetNs, -1));
            continue;
        }
        if (m_speed > 0 && m_targetNs < 0) {
            const qint64 dueMs = qint64(double(pendingNs - m_baseNs) / 1e6 / m_speed);
            if (const qint64 wait = dueMs - m_clock.elapsed(); wait > 0) {
                if (!flushMessages())
                    return;
                m_next.start(int(std::min<qint64>(wait, 60'000)));
                return;
            }
        } else if (slice.elapsed() >= kSliceMs) {
            if (flushMessages())
                m_next.start(0);
            return;
        }
        const Recording::Record record = std::move(*m_pending);
        m_pending.reset();
        m_playedNs = std::max(m_playedNs, qint64(record.timeNs));
        ++m_records;
        m_inRecord = true;
        const bool goOn = play(record);
        if (!self)
            return;
        m_inRecord = false;
        if (!goOn)
            return;
    }
}

bool ReplaySource::play(const Recording::Record &record)
{
    const QPointer<ReplaySource> self(this);
    switch (record.kind) {
    case Recording::Kind::Attempt:
        // A new connection: what the last one left unfinished is dropped, as it was live.
        m_parser.reset();
        if (std::exchange(m_attemptSeen, true)) {   // the first attempt is the one open() began
            flushMessages();
            if (!self)
                return false;
            setState(State::Connecting);
            emit attemptStarted();
        }
        break;
    case Recording::Kind::Response: {
        const HttpExchange exchange = exchangeFrom(record.payload);
        emit exchangeRecorded(exchange);
        if (self && (exchange.status == 200 || exchange.status == 101))
            markOpen();
        break;
    }
    case Recording::Kind::Data:
        if (!joinedIfNeeded())
            return false;
        countBytes(record.payload.size());
        emit rawReceived(record.payload, RawKind::StreamBytes);
        if (!self)
            return false;
        return deliverParsed(m_parser.feed(record.payload));
    case Recording::Kind::TextMessage:
    case Recording::Kind::BinaryMessage:
        if (!joinedIfNeeded())
            return false;
        countBytes(record.payload.size());
        emit rawReceived(record.payload,
                         record.kind == Recording::Kind::TextMessage ? RawKind::TextMessage : RawKind::BinaryMessage);
        if (!self)
            return false;
        m_batch.append("message", {}, record.payload);
        break;
    case Recording::Kind::End: {
        if (!flushMessages())
            return false;
        const QJsonObject end = QJsonDocument::fromJson(record.payload).object();
        if (end.contains(QStringLiteral("nextDelayMs"))) {
            countReconnect();
            setState(State::Connecting);
            emit reconnectScheduled(end.value(QStringLiteral("nextDelayMs")).toInteger(),
                                    end.value(QStringLiteral("reason")).toString());
        }
        break;
    }
    case Recording::Kind::Header:
        break;
    }
    return self && m_playing;
}

bool ReplaySource::joinedIfNeeded()
{
    // A recording begun on an open stream has data before any attempt or response head: the
    // stream was open, and the next attempt in it is a reconnection.
    m_attemptSeen = true;
    if (state() == State::Open)
        return true;
    const QPointer<ReplaySource> self(this);
    markOpen();
    return self && m_playing;
}

bool ReplaySource::deliverParsed(const SseBatch &parsed)
{
    const QPointer<ReplaySource> self(this);
    if (m_parser.commentCount() != m_commentsSeen) {
        m_commentsSeen = m_parser.commentCount();
        emit commentsReceived(m_commentsSeen, QString::fromUtf8(m_parser.lastComment()));
        if (!self || !m_playing)
            return false;
    }
    // Messages gathered before go first; the parsed events go out as the parser made them.
    return flushMessages() && deliver(parsed);
}

bool ReplaySource::flushMessages() { return deliver(m_batch.take()); }

bool ReplaySource::deliver(const SseBatch &batch)
{
    if (batch.isEmpty())
        return m_playing;
    const QPointer<ReplaySource> self(this);
    countEvents(batch.size());
    // Gathered messages arrived by the last record played, not when the batch goes out.
    const bool inRecord = std::exchange(m_inRecord, true);
    emit eventsReceived(batch);
    if (!self)
        return false;
    m_inRecord = inRecord;
    return m_playing;
}

}   // namespace Clickscope
