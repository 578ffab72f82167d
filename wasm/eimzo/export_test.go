package eimzo

// SetKeyID replaces the cached key id of cert, as if the daemon had
// restarted and forgotten it.
func (c *Client) SetKeyID(cert Certificate, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keyIDs[cert.key()] = id
}
