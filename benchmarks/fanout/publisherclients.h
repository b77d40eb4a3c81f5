// SPDX-License-Identifier: MIT
#pragma once

#include "common/syntheticclicks.h"
#include "fanout/loadtools.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <utility>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

// Makes publish bodies: JSON arrays of the publisher's own synthetic clicks, each with its own
// sequence and the time its batch was sent.
class ClickFactory
{
public:
    static constexpr int kDistinctClicks = 4096;
    static constexpr int kLinks = 200;

    QByteArray batch(qint64 count, qint64 sentMicros)
    {
        QByteArray body;
        body.reserve(count * 400 + 2);
        body += '[';
        for (qint64 i = 0; i < count; ++i) {
            if (i > 0)
                body += ',';
            body += m_clicks.openObject(m_next);
            body += ",\"seq\":";
            body += QByteArray::number(m_next);
            body += ",\"sentUs\":";
            body += QByteArray::number(sentMicros);
            body += '}';
            ++m_next;
        }
        body += ']';
        return body;
    }

private:
    SyntheticClicks m_clicks{kDistinctClicks, kLinks};
    qint64 m_next = 1;
};

// POSTs publish bodies and reads the 202s. A POST that failed on the network is sent again and
// counted: a connection closed before the server read the request leaves it unhandled.
class Poster : public QObject
{
    Q_OBJECT
public:
    // accepted < 0: the POST failed for good; `error` says why.
    using Done = std::function<void(qint64 accepted, const QString &error)>;

    explicit Poster(const QUrl &base, QObject *parent = nullptr)
        : QObject(parent)
        , m_publishUrl(base.resolved(QUrl(QStringLiteral("/publish"))))
    {}

    void post(const QByteArray &body, Done done, int attempt = 1)
    {
        QNetworkRequest request(m_publishUrl);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setTransferTimeout(30'000);
        QNetworkReply *reply = m_nam.post(request, body);
        ++m_inFlight;
        connect(reply, &QNetworkReply::finished, this, [this, reply, body, done = std::move(done), attempt] {
            reply->deleteLater();
            --m_inFlight;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 0 && attempt < kMaxPostAttempts) {
                ++m_retries;
                post(body, done, attempt + 1);
                return;
            }
            const QByteArray answer = reply->readAll();
            if (status != 202) {
                done(-1, QStringLiteral("POST /publish: HTTP %1 %2 %3")
                             .arg(status)
                             .arg(reply->errorString(), QString::fromUtf8(answer.left(200))));
                return;
            }
            done(QJsonDocument::fromJson(answer).object().value(QStringLiteral("accepted")).toInteger(-1), {});
        });
    }

    // Publishes `count` new clicks; a POST the server does not take whole ends the run, since
    // every figure after it would be wrong.
    void publish(qint64 count, std::function<void()> accepted)
    {
        post(m_factory.batch(count, wallMicros()),
             [count, accepted = std::move(accepted)](qint64 taken, const QString &error) {
                 if (taken != count) {
                     progress("publish failed (accepted %lld of %lld): %s", static_cast<long long>(taken),
                              static_cast<long long>(count), qPrintable(error));
                     QCoreApplication::exit(kExitFailed);
                     return;
                 }
                 accepted();
             });
    }

    int inFlight() const { return m_inFlight; }
    qint64 retries() const { return m_retries; }

private:
    QNetworkAccessManager m_nam;
    ClickFactory m_factory;
    QUrl m_publishUrl;
    int m_inFlight = 0;
    qint64 m_retries = 0;
};

// Polls GET /stats until the stream count ({"subscribers":{"all":n}}, both servers) satisfies a
// condition, or a deadline passes.
class StatsPoller : public QObject
{
    Q_OBJECT
public:
    explicit StatsPoller(const QUrl &base, QObject *parent = nullptr)
        : QObject(parent)
        , m_statsUrl(base.resolved(QUrl(QStringLiteral("/stats"))))
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &StatsPoller::poll);
    }

    // done(count, met): the last count read (-1 if none) and whether `condition` held in time.
    void waitFor(std::function<bool(qint64)> condition, std::chrono::milliseconds deadline,
                 std::function<void(qint64, bool)> done)
    {
        m_condition = std::move(condition);
        m_done = std::move(done);
        m_deadline.setRemainingTime(deadline);
        m_last = -1;
        poll();
    }

    // One GET /stats; an empty object when it failed.
    void fetch(std::function<void(const QJsonObject &)> done)
    {
        QNetworkRequest request(m_statsUrl);
        request.setTransferTimeout(5'000);
        QNetworkReply *reply = m_nam.get(request);
        connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
            reply->deleteLater();
            done(reply->error() == QNetworkReply::NoError ? QJsonDocument::fromJson(reply->readAll()).object()
                                                          : QJsonObject());
        });
    }

private:
    void poll()
    {
        fetch([this](const QJsonObject &stats) {
            if (!stats.isEmpty())
                m_last =
                    stats.value(QStringLiteral("subscribers")).toObject().value(QStringLiteral("all")).toInteger(0);
            const bool met = m_last >= 0 && m_condition(m_last);
            if (met || m_deadline.hasExpired()) {
                std::exchange(m_done, {})(m_last, met);
                return;
            }
            m_timer.start(kStatsPollInterval);
        });
    }

    QNetworkAccessManager m_nam;
    QUrl m_statsUrl;
    QTimer m_timer;
    QDeadlineTimer m_deadline;
    std::function<bool(qint64)> m_condition;
    std::function<void(qint64, bool)> m_done;
    qint64 m_last = -1;
};

}   // namespace Clickscope::Bench
