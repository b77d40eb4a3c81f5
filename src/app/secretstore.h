// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

namespace Clickscope {

// The desktop keyring (Secret Service, KWallet …, through QtKeychain), where a workspace's
// secrets go instead of its file. Never a plain-text fallback: with no keyring, writing and
// reading fail, and the caller asks the user again. Both answer later, on the event loop; an
// answer still on its way when the store goes is dropped (the connection goes with the store).
class SecretStore : public QObject
{
    Q_OBJECT
public:
    explicit SecretStore(QObject *parent = nullptr);

    // `done` gets an empty string once `secret` is kept under `key`, else why it is not.
    void write(const QString &key, const QByteArray &secret, std::function<void(const QString &error)> done);
    // `done` gets the secret kept under `key`, or an empty one and why.
    void read(const QString &key, std::function<void(const QByteArray &secret, const QString &error)> done);
};

}   // namespace Clickscope
