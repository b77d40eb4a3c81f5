// SPDX-License-Identifier: MIT
#include "app/watchedstream.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cmath>

namespace Clickscope {

WatchedStream::WatchedStream(quint64 id) : m_id(id) {}

// The pipeline's destructor stops its worker thread, which closes the stream's socket.
WatchedStream::~WatchedStream() = default;

QString WatchedStream::name() const
{
    if (!m_givenName.isEmpty())
        return m_givenName;
    const QUrl &url = request.config.url;
    if (url.isEmpty())
        return QCoreApplication::translate("WatchedStream", "New stream");
    if (url.isLocalFile())
        return QFileInfo(replayingPath.isEmpty() ? url.toLocalFile() : replayingPath).fileName();
    const QString path = url.path();
    QString name = url.host();
    if (url.port() != -1)
        name += u':' + QString::number(url.port());
    return path.isEmpty() || path == u"/" ? name : name + path;
}

QString WatchedStream::stateText(qint64 nowMs) const
{
    if (!active) {
        if (request.config.url.isEmpty())
            return QCoreApplication::translate("WatchedStream", "Not connected");
        if (!missingCredentials.isEmpty())
            return QCoreApplication::translate("WatchedStream", "Needs credentials");
        if (!lastError.isEmpty())
            return QCoreApplication::translate("WatchedStream", "Failed");
        return QCoreApplication::translate("WatchedStream", "Disconnected");
    }
    switch (state) {
    case StreamSource::State::Connecting:
        if (retryAtMs > nowMs) {
            const auto seconds = qint64(std::ceil(double(retryAtMs - nowMs) / 1000.0));
            return QCoreApplication::translate("WatchedStream", "Retrying in %1 s").arg(seconds);
        }
        return QCoreApplication::translate("WatchedStream", "Connecting");
    case StreamSource::State::Open:
        return QCoreApplication::translate("WatchedStream", "Open");
    case StreamSource::State::Closed:
        if (!lastError.isEmpty())
            return QCoreApplication::translate("WatchedStream", "Failed");
        return QCoreApplication::translate("WatchedStream", "Ended");
    }
    return {};
}

bool WatchedStream::isInTrouble() const
{
    if (!lastError.isEmpty() || retryAtMs != 0)
        return true;
    const Finding *worst = xray ? xray->worstFinding() : nullptr;
    return worst && worst->severity == Finding::Severity::Error;
}

}   // namespace Clickscope
