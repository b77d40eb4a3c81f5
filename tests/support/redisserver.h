// SPDX-License-Identifier: MIT
#pragma once

#include "core/redis/respreader.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <optional>

namespace Clickscope::Testing {

// A real redis-server for one test: on 127.0.0.1, a free port, its files in a temporary folder,
// nothing persisted; killed when this object goes (and by itself after kLifetimeSeconds, should
// the test process die first). command() is a small blocking client for the test's own requests.
class RedisServer
{
public:
    static constexpr int kLifetimeSeconds = 600;

    // `extraArguments` go to redis-server, e.g. {"--requirepass", "secret"}.
    explicit RedisServer(QStringList extraArguments = {});
    ~RedisServer();
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    // Starts it and waits until it answers PING; false (with the reason in errorString()) if it
    // did not within 10 s.
    bool start();
    void kill();
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    // redis://127.0.0.1:PORT/PATH (PATH without its leading slash), with `userInfo@` if given.
    QUrl url(const QString &path, const QString &userInfo = {}) const;

    // Sends the commands at once and waits for all their replies (at most 10 s); nullopt on a
    // connection or protocol failure. `auth` is sent first when not empty (its reply is not returned).
    std::optional<QList<RespValue>> pipeline(const QList<QByteArray> &commands, const QByteArray &auth = {}) const;
    // One command; nullopt on failure.
    std::optional<RespValue> command(std::initializer_list<QByteArrayView> parts, const QByteArray &auth = {}) const;

private:
    QStringList m_arguments;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

}   // namespace Clickscope::Testing
