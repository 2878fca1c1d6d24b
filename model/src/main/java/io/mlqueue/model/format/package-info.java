/**
 * The one list of model file formats, shared by the command line ({@code --model FILE}) and the
 * registry (a version's files), so a new format is one more entry rather than another file-name
 * test in each place.
 */
package io.mlqueue.model.format;
