// SPDX-License-Identifier: MIT
#pragma once

#include "app/streamrequest.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace Clickscope {

// A StreamRequest as it may be written to disk (the recent streams, a workspace): without its
// secrets. A header that may hold one (isSecretHeader) is left out, and so is a password or a
// token in the URL; their names stay, to say what must be given again.
struct SavedRequest
{
    StreamRequest request;            // without secrets
    QStringList missingCredentials;   // header names, or "the URL's password"

    // `request` without its secrets.
    static SavedRequest withoutSecrets(const StreamRequest &request);
    // What the lists show: the URL, with the method when it is not GET.
    QString label() const;

    QJsonObject toJson() const;
    // Null when the object holds no usable URL. A mapping or a check this version cannot read is
    // dropped.
    static std::optional<SavedRequest> fromJson(const QJsonObject &object);

    // The secrets `request` holds (its whole URL and its secret headers), to keep where secrets
    // belong (a keyring); empty when it holds none.
    static QByteArray secretsOf(const StreamRequest &request);
    // Puts `secrets` (from secretsOf()) back into this request; false when they are not readable.
    bool restoreSecrets(const QByteArray &secrets);
};

}   // namespace Clickscope
