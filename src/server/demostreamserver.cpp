// SPDX-License-Identifier: MIT
#include "demostreamserver.h"

#include <QDateTime>
#include <QHttpServerRequest>

#include <algorithm>
#include <array>

namespace Clickscope {
namespace {

constexpr int kTickMs = 50;
constexpr qint64 kMaxBacklogBytes = 1024 * 1024;   // a reader this far behind is dropped

constexpr std::array kLinks{"/launch", "/docs", "/pricing", "/blog/qt64", "/careers", "/demo", "/gh", "/x"};
constexpr std::array kCountries{"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "NL", "SE"};
constexpr std::array kReferrers{"https://news.ycombinator.com/", "https://www.google.com/", "https://t.co/",
                                "https://www.reddit.com/", ""};
constexpr std::array kDevices{"desktop", "mobile", "tablet"};
constexpr std::array kBrowsers{"Firefox", "Chrome", "Safari", "Edge"};

// Skewed pick: earlier entries are more popular, as links and countries are in real traffic.
template<typename Array>
const char *pick(QRandomGenerator &random, const Array &values)
{
    const double u = random.generateDouble();
    return values[std::min<std::size_t>(values.size() - 1, std::size_t(u * u * double(values.size())))];
}

} // namespace

DemoStreamServer::DemoStreamServer(int clicksPerSecond, QObject *parent)
    : QObject(parent), m_clicksPerTick(clicksPerSecond * kTickMs / 1000.0)
{
    m_http.route("/events", [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        accept(std::move(responder));
    });
    connect(&m_tick, &QTimer::timeout, this, &DemoStreamServer::tick);
}

DemoStreamServer::~DemoStreamServer()
{
    for (const auto &stream : m_streams) {
        if (stream->socket)
            stream->socket->disconnectFromHost();
    }
}

bool DemoStreamServer::listen()
{
    m_port = m_http.listen(QHostAddress::LocalHost, 0);
    if (m_port == 0)
        return false;
    m_tick.start(kTickMs);
    return true;
}

QUrl DemoStreamServer::streamUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(m_port));
}

void DemoStreamServer::accept(QHttpServerResponder &&responder)
{
    auto stream = std::make_unique<Stream>(std::move(responder));
    stream->responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    stream->responder.writeHeaders({{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
    stream->responder.writeBody("retry: 1000\n: demo stream\n\n");
    m_streams.push_back(std::move(stream));
}

QByteArray DemoStreamServer::nextClick()
{
    ++m_sequence;
    const QByteArray json = QByteArrayLiteral("{\"ts\":") + QByteArray::number(QDateTime::currentMSecsSinceEpoch())
        + ",\"link\":\"" + pick(m_random, kLinks) + "\",\"country\":\"" + pick(m_random, kCountries)
        + "\",\"referrer\":\"" + pick(m_random, kReferrers) + "\",\"device\":\"" + pick(m_random, kDevices)
        + "\",\"browser\":\"" + pick(m_random, kBrowsers) + "\"}";
    return "id: " + QByteArray::number(m_sequence) + "\nevent: click\ndata: " + json + "\n\n";
}

void DemoStreamServer::tick()
{
    std::erase_if(m_streams, [](const auto &s) {
        return !s->socket || s->socket->state() != QAbstractSocket::ConnectedState;
    });
    m_owed += m_clicksPerTick;
    QByteArray payload;
    for (; m_owed >= 1; m_owed -= 1)
        payload += nextClick();
    if (payload.isEmpty())
        return;
    for (const auto &stream : m_streams) {
        if (stream->socket->bytesToWrite() > kMaxBacklogBytes)
            stream->socket->disconnectFromHost();
        else
            stream->responder.writeBody(payload);
    }
}

} // namespace Clickscope
