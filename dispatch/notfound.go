package dispatch

import (
	"errors"

	"github.com/twitchtv/twirp"
)

// isNotFound reports whether err is the server's "not found".
func isNotFound(err error) bool {
	var te twirp.Error
	return errors.As(err, &te) && te.Code() == twirp.NotFound
}
