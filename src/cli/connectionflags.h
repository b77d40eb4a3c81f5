// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "core/source/sourceconfig.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <optional>

namespace Clickscope::Cli {

// The flags `listen` and `watch` share: the stream's URL and how to connect to it.
class ConnectionFlags
{
public:
    ConnectionFlags();

    void addTo(QCommandLineParser &parser) const;
    // Fills `config` from the single URL argument and the flags; a usage message when they are wrong.
    Result<void> read(const QCommandLineParser &parser, SourceConfig &config) const;
    // One config per URL argument (1 to maxStreams of them), each with the same flags.
    Result<QList<SourceConfig>> readAll(const QCommandLineParser &parser, qsizetype maxStreams) const;
    // --timeout, when given.
    std::optional<double> timeoutSeconds(const QCommandLineParser &parser) const;

private:
    Result<void> readOne(const QCommandLineParser &parser, const QString &argument, SourceConfig &config) const;

    QCommandLineOption m_header;
    QCommandLineOption m_method;
    QCommandLineOption m_data;
    QCommandLineOption m_lastEventId;
    QCommandLineOption m_timeout;
    QCommandLineOption m_idleTimeout;
    QCommandLineOption m_connectTimeout;
    QCommandLineOption m_retry;
    QCommandLineOption m_noReconnect;
    QCommandLineOption m_doneMarker;
};

}   // namespace Clickscope::Cli
